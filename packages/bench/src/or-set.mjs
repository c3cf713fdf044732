// pnpm bench -- --section or-set   (or: node --expose-gc packages/bench/src/or-set.mjs)
// OR-Set add-and-merge at 100,000 elements against a plain-JS Map in the same
// process. One operation is the delta mutator plus merging its delta into the
// state, as a replica does for every local edit; the Map baseline is one `set`.
import * as ORSet from '@convergent/or-set';
import { asReplicaId } from '@convergent/core';

const N = Number(process.env.OR_SET_N ?? 100_000);
const OPS = 10_000;
const me = asReplicaId('bench');
const us = (ms, n) => (ms * 1000) / n;

// CPU time of this process (user + system), in ms: on a shared machine it is
// steadier than wall time.
function timed(run) {
  globalThis.gc?.();
  const t0 = process.cpuUsage();
  run();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}

// Build N elements, one add-and-merge each (not the figure: sizes grow through it).
let state = ORSet.bottom;
const build = timed(() => {
  for (let i = 0; i < N; i++) state = ORSet.merge(state, ORSet.add(state, me, `k${i}`));
});
const map = new Map();
for (let i = 0; i < N; i++) map.set(`k${i}`, i);

// At N elements: OPS fresh adds, OPS re-adds of present elements, OPS removes.
const full = state;
const add = timed(() => {
  for (let i = N; i < N + OPS; i++) state = ORSet.merge(state, ORSet.add(state, me, `k${i}`));
});
state = full;
const readd = timed(() => {
  for (let i = 0; i < OPS; i++) state = ORSet.merge(state, ORSet.add(state, me, `k${i * 7}`));
});
state = full;
const remove = timed(() => {
  for (let i = 0; i < OPS; i++) state = ORSet.merge(state, ORSet.remove(state, me, `k${i * 3}`));
});
if (ORSet.size(state) !== N - OPS) throw new Error('wrong size after removes');
// A second replica receiving the adds as deltas.
const deltas = [];
let origin = full;
for (let i = N; i < N + OPS; i++) {
  const delta = ORSet.add(origin, me, `k${i}`);
  deltas.push(delta);
  origin = ORSet.merge(origin, delta);
}
let remote = ORSet.merge(ORSet.bottom, full);
const receive = timed(() => {
  for (const delta of deltas) remote = ORSet.merge(remote, delta);
});
if (!ORSet.equals(remote, origin)) throw new Error('replicas differ');
const baseline = timed(() => {
  for (let i = N; i < N + OPS; i++) map.set(`k${i}`, i);
});

const rows = [
  ['add-and-merge, fresh element', add],
  ['add-and-merge, present element', readd],
  ['remove-and-merge', remove],
  ['merge of a remote add delta', receive],
];
let md = `\n### OR-Set at ${N.toLocaleString('en-US')} elements\n\nNode ${process.version}; ${OPS.toLocaleString('en-US')} operations per row in one process, CPU time; building the ${N.toLocaleString('en-US')} elements by add-and-merge took ${(build / 1000).toFixed(2)} s (${us(build, N).toFixed(1)} µs each on average). Baseline: \`Map.prototype.set\` on a plain \`Map\` of ${N.toLocaleString('en-US')} entries, ${us(baseline, OPS).toFixed(3)} µs per set.\n\n| operation | µs per operation | ratio to Map.set |\n| --- | --- | --- |\n`;
for (const [name, ms] of rows) md += `| ${name} | ${us(ms, OPS).toFixed(2)} | ${(ms / baseline).toFixed(0)} |\n`;
process.stdout.write(md);
