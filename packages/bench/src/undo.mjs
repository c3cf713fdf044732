// node --expose-gc packages/bench/src/undo.mjs [--steps 200 --runs 5]
// What undo costs an editor on a 100,000-character document: capture per keystroke
// (typing and backspacing), then undo and redo of a five-keystroke word and of a
// 100-character deletion, with a remote edit arriving between the step and its undo.
// The document is the final state of the automerge-paper trace (104,852 characters, a
// fragmented list of short runs). Never part of the tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { text, UndoManager } from '@convergent/undo';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return Number(i >= 0 ? args[i + 1] : fallback);
};
const steps = option('steps', 200);
const runs = option('runs', 5);

const trace = JSON.parse(gunzipSync(readFileSync(path.join(here, '../../../test/traces/automerge-paper.json.gz'))).toString('utf8'));
const author = asReplicaId('author');
const me = asReplicaId('me');
const you = asReplicaId('you');
const { state: paper } = RGA.edit(RGA.bottom, author, (e) => {
  for (const txn of trace.txns)
    for (const [at, del, ins] of txn.patches) {
      if (del > 0) e.deleteTextUtf16(at, del);
      if (ins !== '') e.insertTextUtf16(at, ins);
    }
});
if (RGA.text(paper) !== trace.endContent) throw new Error('wrong final text');

function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const time = (f) => {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) * 1000];
};

function run(seed) {
  const next = random(seed);
  let doc = RGA.decode(RGA.encode(paper));
  const undo = new UndoManager({ kind: text({ utf16: true }), replica: me, captureMs: 0 });
  const us = { type: [], backspace: [], undoWord: [], redoWord: [], undoCut: [], redoCut: [] };
  const caret = (at) => ({ anchor: at, head: at });
  const key = (delta, before, after, bucket) => {
    const [, t] = time(() => undo.capture(doc, delta, { before: caret(before), after: caret(after) }));
    us[bucket].push(t);
    doc = RGA.merge(doc, delta);
  };
  const remote = () => {
    doc = RGA.merge(doc, RGA.insertTextUtf16(doc, you, Math.floor(next() * RGA.lengthUtf16(doc)), 'x'));
  };
  for (let s = 0; s < steps; s++) {
    // A word of five keystrokes as one step, then a remote keystroke, undo, redo.
    let at = Math.floor(next() * (RGA.lengthUtf16(doc) - 200));
    undo.stopCapturing();
    for (const ch of 'word ') {
      key(RGA.insertTextUtf16(doc, me, at, ch), at, at + 1, 'type');
      at++;
    }
    remote();
    const [u, tu] = time(() => undo.undo(doc));
    doc = u.state;
    const [r, tr] = time(() => undo.redo(doc));
    doc = r.state;
    us.undoWord.push(tu);
    us.redoWord.push(tr);
    // A backspace, and a 100-character cut as one step.
    undo.stopCapturing();
    key(RGA.deleteTextUtf16(doc, me, at - 1, 1), at, at - 1, 'backspace');
    undo.stopCapturing();
    const cut = RGA.deleteText(doc, me, Math.floor(next() * (RGA.length(doc) - 200)), 100);
    undo.capture(doc, cut);
    doc = RGA.merge(doc, cut);
    remote();
    const [c, tc] = time(() => undo.undo(doc));
    doc = c.state;
    const [d, td] = time(() => undo.redo(doc));
    doc = d.state;
    us.undoCut.push(tc);
    us.redoCut.push(td);
  }
  return Object.fromEntries(Object.entries(us).map(([k, v]) => [k, median(v)]));
}

run(99); // warm-up
const results = [];
for (let i = 0; i < runs; i++) {
  globalThis.gc?.();
  results.push(run(i + 1));
}
const rows = Object.keys(results[0]).map((k) => [k, median(results.map((r) => r[k]))]);
console.log(`undo on the automerge-paper state (${RGA.length(paper)} characters), µs, median of ${runs} runs of ${steps} steps each:`);
for (const [k, v] of rows) console.log(`${k.padEnd(10)} ${v.toFixed(1)}`);
