// node packages/bench/src/trust-cost.mjs   (after: pnpm --filter @convergent/core --filter @convergent/rga build)
// What RGA.validateMerge and RGA.authors cost beside what a receiver does anyway: a remote keystroke's
// merge, and decoding a whole state. A document of 60,000 random edits by one replica;
// keystrokes by a second replica that holds the same document. Never part of the tests.
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';

const [A, B] = [asReplicaId('A'), asReplicaId('B')];
let seed = 7;
const rnd = (n) => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), (seed >>> 0) % n);

let a = RGA.bottom;
let b = RGA.bottom;
for (let i = 0; i < 60_000; i++) {
  const n = RGA.length(a);
  const delta = n > 10 && rnd(4) === 0 ? RGA.deleteAt(a, A, rnd(n - 1), 1) : RGA.insertText(a, A, rnd(n + 1), 'abc'.slice(0, 1 + rnd(3)));
  a = RGA.merge(a, delta);
  b = RGA.merge(b, delta);
}
const keystrokes = Array.from({ length: 2000 }, () => RGA.insertText(b, B, rnd(RGA.length(b) + 1), 'x'));
const deletes = Array.from({ length: 2000 }, () => RGA.deleteAt(b, B, rnd(RGA.length(b)), 1));
const bytes = RGA.encode(a);

function time(label, reps, f) {
  for (let i = 0; i < Math.min(reps, 200); i++) f(i);
  const start = performance.now();
  for (let i = 0; i < reps; i++) f(i);
  console.log(`| ${label} | ${(((performance.now() - start) / reps) * 1000).toFixed(2)} µs |`);
}

console.log(`document: ${RGA.length(a)} elements, ${bytes.length} bytes encoded\n`);
console.log('| operation | time per call |\n| --- | --- |');
time('validateMerge(doc, remote keystroke)', 200_000, (i) => RGA.validateMerge(a, keystrokes[i % keystrokes.length]));
time('merge(doc, remote keystroke)', 2_000, (i) => RGA.merge(a, keystrokes[i % keystrokes.length]));
time('authors(remote keystroke)', 200_000, (i) => RGA.authors(keystrokes[i % keystrokes.length]));
time('authors(remote one-character delete, doc)', 20_000, (i) => RGA.authors(deletes[i % deletes.length], a));
time('validateMerge(bottom, whole state)', 20_000, () => RGA.validateMerge(RGA.bottom, a));
time('decode(whole state)', 20, () => RGA.decode(bytes));
