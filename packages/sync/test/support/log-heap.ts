// Heap held per logged delta: 200 authors each send one-character RGA inserts to one
// replica, with and without a delta log; the difference is what the log holds per entry.
// Run: node --conditions=@convergent/source --expose-gc --import tsx packages/sync/test/support/log-heap.ts log
//      (and with `nolog`). A measurement, not a test: heap figures vary by engine.
import { replicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { Replica } from '../../src/index.js';

const log = process.argv[2] === 'log';
const doc = 'text';
const me = new Replica({ id: replicaId(), type: RGA, deltaLog: log, doc, gossipMs: 0, limits: { maxLogBytes: 1 << 30 } });
const authors = Array.from({ length: 200 }, () => {
  const sent: Uint8Array[] = [];
  const r = new Replica({ id: replicaId(), type: RGA, deltaLog: log, doc, gossipMs: 0 });
  r.connect({ connected: true, send: (b) => sent.push(b), listen: () => () => {} });
  return { r, sent };
});
const round = () => {
  for (const a of authors) {
    a.r.update((s, id) => RGA.insertText(s, id, RGA.length(s), 'x'));
    me.receive(a.sent.at(-1)!);
  }
};
round();
(globalThis as unknown as { gc: () => void }).gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < 25; i++) round();
(globalThis as unknown as { gc: () => void }).gc();
const after = process.memoryUsage().heapUsed;
console.log(`${log ? 'log' : 'no log'}: heap per received delta: ${((after - before) / 5000).toFixed(0)} bytes; ${me.stats.heldBack} held back`);
