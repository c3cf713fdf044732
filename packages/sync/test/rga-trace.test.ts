// Wire bytes on reconnect: a peer that missed the last 1% of the automerge-paper
// trace (test/traces at the repository's top) catches up by receiving only the
// deltas it lacks from its peer's delta log, a small fraction of the full state.
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { expect, test } from 'vitest';
import { MemoryNetwork, Replica } from '../src/index.js';
import { loadTrace, type Trace } from '../../../test/traces/load.js';


function edit(replica: Replica<RGA.RGA>, patches: Trace['txns'][number]['patches']): void {
  for (const [pos, del, ins] of patches) {
    if (del > 0) replica.update((doc, id) => RGA.deleteText(doc, id, pos, del));
    if (ins !== '') replica.update((doc, id) => RGA.insertText(doc, id, pos, ins));
  }
}

test('automerge-paper: a peer that missed the last 1% receives a small fraction of the full state', () => {
  const trace = loadTrace('automerge-paper');
  const cut = Math.floor(trace.txns.length * 0.99);
  const net = new MemoryNetwork();
  const alice = new Replica({ id: asReplicaId('alice'), type: RGA, deltaLog: true, doc: 'paper' });
  const bob = new Replica({ id: asReplicaId('bob'), type: RGA, deltaLog: true, doc: 'paper' });
  alice.connect(net.transport('alice'));
  for (let i = 0; i < cut; i++) edit(alice, trace.txns[i]!.patches);
  // Bob joins and catches up on the first 99% (a snapshot: Alice's log no longer reaches back that far).
  bob.connect(net.transport('bob'));
  net.flush();
  expect(RGA.equals(alice.state, bob.state)).toBe(true);

  // Bob goes offline; Alice types the last 1%; Bob comes back and syncs.
  net.setOnline('bob', false);
  for (let i = cut; i < trace.txns.length; i++) edit(alice, trace.txns[i]!.patches);
  net.flush();
  const before = bob.stats.bytesReceived;
  const deliveredBefore = net.stats.bytesDelivered;
  net.setOnline('bob', true);
  net.flush();
  const received = bob.stats.bytesReceived - before;
  const onWire = net.stats.bytesDelivered - deliveredBefore; // both directions
  expect(RGA.text(bob.state)).toBe(trace.endContent);
  expect(RGA.equals(alice.state, bob.state)).toBe(true);

  const full = RGA.encode(alice.state).length;
  const ratio = received / full;
  console.log(
    `automerge-paper, last 1% (${trace.txns.length - cut} of ${trace.txns.length} txns) missed: ` +
      `reconnecting peer received ${received} bytes (${onWire} both ways) vs full state ${full} bytes = ${(100 * ratio).toFixed(2)}%`,
  );
  expect(ratio).toBeLessThan(0.05);
}, 180_000);
