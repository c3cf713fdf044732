// node --expose-gc order.mjs [--trace automerge-paper,seph-blog1] [--txns N] [--runs 3] [--n 100000]
// Two @convergent/rga costs that depend on what a replica receives, not on local editing,
// each timed side by side in this one process and reported as a ratio:
// - delivery order: a late joiner merges one delta per transaction of a two-replica
//   session, in causal order and in a seeded shuffle (ratio shuffled / causal);
// - unrelated states: merging two states that share no chunks, against decoding both
//   (ratio merge / decode both), for two 100,000-element states typed by different
//   replicas (disjoint) and for one state and its own decoded copy (identical).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';

const here = path.dirname(fileURLToPath(import.meta.url));
const traces = path.resolve(here, '../../../test/traces');
const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const traceNames = option('trace', 'automerge-paper,seph-blog1').split(',');
const maxTxns = Number(option('txns', 'Infinity'));
const runs = Number(option('runs', '3'));
const ids = [asReplicaId('alice'), asReplicaId('bob')];

const load = (name) => JSON.parse(gunzipSync(readFileSync(path.join(traces, `${name}.json.gz`))).toString('utf8'));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
// CPU time of this process (user + system, garbage collection included), not wall time:
// the ratio then holds on a machine that other work keeps busy.
const time = (f) => {
  globalThis.gc?.();
  const t0 = process.cpuUsage();
  const result = f();
  const t = process.cpuUsage(t0);
  return { ms: (t.user + t.system) / 1000, result };
};

/** A seeded permutation (mulberry32, Fisher-Yates): the same shuffle on every run. */
function shuffled(items, seed) {
  const out = [...items];
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The session of the rga trace test: two replicas take turns typing blocks of 100 txns,
 * then send what they typed. One delta per transaction (RGA.edit), in the order made.
 */
function session(trace) {
  const txns = trace.txns.slice(0, maxTxns);
  const docs = [RGA.bottom, RGA.bottom];
  const deltas = [];
  for (let start = 0, block = 0; start < txns.length; start += 100, block++) {
    const typist = block % 2;
    const sent = [];
    for (const txn of txns.slice(start, start + 100)) {
      const { state, delta } = RGA.edit(docs[typist], ids[typist], (e) => {
        for (const [pos, del, ins] of txn.patches) {
          if (del > 0) e.deleteText(pos, del);
          if (ins !== '') e.insertText(pos, ins);
        }
      });
      docs[typist] = state;
      sent.push(delta);
    }
    for (const delta of sent) docs[1 - typist] = RGA.merge(docs[1 - typist], delta);
    deltas.push(...sent);
  }
  return { deltas, text: RGA.text(docs[0]) };
}

const joinAll = (deltas) => {
  let doc = RGA.bottom;
  for (const delta of deltas) doc = RGA.merge(doc, delta);
  return doc;
};

const rows = [];
for (const name of traceNames) {
  const { deltas, text } = session(load(name));
  const shuffle = shuffled(deltas, 12);
  const causal = [];
  const random = [];
  for (let i = 0; i < runs; i++) {
    // Alternate, so that both see the same machine load.
    const a = time(() => joinAll(deltas));
    const b = time(() => joinAll(shuffle));
    if (RGA.text(a.result) !== text || !RGA.equals(a.result, b.result)) throw new Error(`${name}: delivery orders diverge`);
    causal.push(a.ms);
    random.push(b.ms);
  }
  rows.push({ case: `${name}: ${deltas.length.toLocaleString('en-US')} deltas, shuffled / causal`, a: median(random), b: median(causal) });
}

/** A state of `n` elements typed by `replica` as a run of short words and edits. */
function typed(replica, n) {
  let doc = RGA.bottom;
  const { state } = RGA.edit(doc, replica, (e) => {
    // Inserts at moving positions and a few deletes: many runs, as real typing leaves.
    for (let i = 0; e.length < n; i++) {
      e.insertText((i * 7919) % (e.length + 1), 'abcdefgh'.slice(0, 1 + (i % 8)));
      if (i % 5 === 4 && e.length > 2) e.deleteText((i * 104729) % (e.length - 1), 1);
    }
  });
  return state;
}

const n = Number(option('n', '100000'));
const unrelated = [
  ['disjoint (two replicas)', typed(asReplicaId('carol'), n), typed(asReplicaId('dave'), n)],
];
const same = typed(asReplicaId('erin'), n);
unrelated.push(['identical (a state and its decoded copy)', same, RGA.decode(RGA.encode(same))]);
for (const [label, x, y] of unrelated) {
  const bx = RGA.encode(x);
  const by = RGA.encode(y);
  const decodes = [];
  const merges = [];
  for (let i = 0; i < runs; i++) {
    const d = time(() => [RGA.decode(bx), RGA.decode(by)]);
    const [dx, dy] = d.result;
    const m = time(() => RGA.merge(dx, dy));
    if (!RGA.leq(dx, m.result) || !RGA.leq(dy, m.result)) throw new Error(`${label}: not an upper bound`);
    decodes.push(d.ms);
    merges.push(m.ms);
  }
  const pieces = RGA.toJSON(x).runs.length + RGA.toJSON(y).runs.length;
  rows.push({ case: `unrelated ${n.toLocaleString('en-US')}-element states, ${label} (${pieces.toLocaleString('en-US')} runs), merge / decode both`, a: median(merges), b: median(decodes) });
}

let md = `Node ${process.version}; median of ${runs} runs, each pair timed side by side in one process; CPU time (user + system) in ms.\n\n| case | time (ms) | baseline (ms) | ratio |\n| --- | --- | --- | --- |\n`;
for (const r of rows) md += `| ${r.case} | ${r.a.toFixed(1)} | ${r.b.toFixed(1)} | ${(r.a / r.b).toFixed(2)} |\n`;
process.stdout.write(md);
