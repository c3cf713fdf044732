// node --expose-gc packages/bench/src/text-changes.mjs [--ops 2000 --runs 5]
// What an editor binding pays per remote keystroke on a 100,000-character document:
// RGA.changesUtf16 (the index operations a one-character remote delta causes), beside
// the merge itself and RGA.text (reading the whole text, the plain-JS floor of diffing).
// The document is the final state of the automerge-paper trace (104,852 characters,
// typed at moving positions, so its runs are short: a fragmented document), and the
// same text typed in one insert (one run). Never part of the tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return Number(i >= 0 ? args[i + 1] : fallback);
};
const ops = option('ops', 2000);
const runs = option('runs', 5);

const trace = JSON.parse(gunzipSync(readFileSync(path.join(here, '../../../test/traces/automerge-paper.json.gz'))).toString('utf8'));
const author = asReplicaId('author');
const bob = asReplicaId('bob');
const alice = asReplicaId('alice');

function traced() {
  const { state } = RGA.edit(RGA.bottom, author, (e) => {
    for (const txn of trace.txns) for (const [at, del, ins] of txn.patches) {
      if (del > 0) e.deleteTextUtf16(at, del);
      if (ins !== '') e.insertTextUtf16(at, ins);
    }
  });
  if (RGA.text(state) !== trace.endContent) throw new Error('wrong final text');
  return state;
}
const oneRun = () => RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, author, 0, trace.endContent));

// A seeded generator (mulberry32), so that every run types at the same places.
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** CPU time (user + system, µs) since `start`: unlike wall time, it leaves out time the process waited for a core. */
const cpuSince = (start) => {
  const d = process.cpuUsage(start);
  return d.user + d.system;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** µs per op of each measure, one run: bob types (and every fifth op deletes) at random places; alice receives. */
function run(doc, seed) {
  // Two replicas with their own copies (no shared chunks or caches), as over a network.
  let mine = RGA.decode(RGA.encode(doc));
  let theirs = RGA.decode(RGA.encode(doc));
  const next = random(seed);
  const changesUs = [];
  const mergeUs = [];
  const textUs = [];
  let changesCpu = 0;
  let mergeCpu = 0;
  let check = '';
  for (let i = 0; i < ops; i++) {
    const len = RGA.lengthUtf16(theirs);
    const at = Math.floor(next() * len); // the trace's text is all in the BMP: every offset is a boundary
    const delta = i % 5 === 4 && len > 0 ? RGA.deleteTextUtf16(theirs, bob, Math.min(at, len - 1), 1) : RGA.insertTextUtf16(theirs, bob, at, 'x');
    theirs = RGA.merge(theirs, delta);
    // The receiver's own caret is elsewhere: its last edit (made and dropped here) was at
    // another random place, so no search starts where the sender's ended (one process
    // holds both replicas, and a merge starts searching where the last edit was).
    RGA.insertTextUtf16(mine, alice, Math.floor(next() * RGA.lengthUtf16(mine)), 'y');
    let c0 = process.cpuUsage();
    let t0 = performance.now();
    const changes = RGA.changesUtf16(mine, delta);
    changesUs.push(performance.now() - t0);
    changesCpu += cpuSince(c0);
    c0 = process.cpuUsage();
    t0 = performance.now();
    mine = RGA.merge(mine, delta);
    mergeUs.push(performance.now() - t0);
    mergeCpu += cpuSince(c0);
    if (changes.length !== 1) throw new Error('expected one change');
    if (i % 100 === 0) {
      t0 = performance.now();
      check = RGA.text(mine);
      textUs.push(performance.now() - t0);
    }
  }
  if (check.length === 0 || RGA.text(mine) !== RGA.text(theirs)) throw new Error('replicas diverged');
  return {
    changes: { median: 1000 * median(changesUs), mean: changesCpu / ops },
    merge: { median: 1000 * median(mergeUs), mean: mergeCpu / ops },
    text: { median: 1000 * median(textUs) },
  };
}

const docs = { 'automerge-paper final state (fragmented)': traced(), 'same text, one run': oneRun() };
let md = `\n## Text changes for editors (issue 15)\n\nOne-character remote deltas (${ops} per run: inserts, every fifth a delete, at seeded random places) on a ${trace.endContent.length.toLocaleString('en-US')}-character document; µs per delta: the median delta (wall time) and the mean CPU time (user + system, which leaves out the time the process waited for a core on a busy machine; it includes the first delta's one-off indexing of the identities and the cost of reading the CPU clock, about 1 µs), each the median of ${runs} runs (min–max). RGA.text is timed on every 100th delta. Node ${process.version}.\n\n| document | RGA.changesUtf16 median / mean CPU | RGA.merge median / mean CPU | RGA.text median |\n| --- | --- | --- | --- |\n`;
for (const [name, doc] of Object.entries(docs)) {
  const rows = [];
  for (let r = 0; r < runs; r++) rows.push(run(doc, r + 1));
  const cell = (k, m) => {
    const xs = rows.map((row) => row[k][m]);
    return `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
  };
  md += `| ${name} | ${cell('changes', 'median')} / ${cell('changes', 'mean')} | ${cell('merge', 'median')} / ${cell('merge', 'mean')} | ${cell('text', 'median')} |\n`;
  console.error(`${name}: done`);
}
process.stdout.write(md);
