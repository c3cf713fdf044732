import { asReplicaId } from '@convergent/core';
import { MemoryNetwork, Replica } from '@convergent/sync';
import { expect, test } from 'vitest';
import * as ORMap from '../src/index.js';

const Cart = ORMap.of(ORMap.counter);

test.each([false, true])('the seed cart over @convergent/sync, no special case (delta log: %s)', (deltaLog) => {
  const net = new MemoryNetwork();
  const alice = new Replica({ id: asReplicaId('alice'), type: Cart, deltaLog });
  const bob = new Replica({ id: asReplicaId('bob'), type: Cart, deltaLog });
  alice.connect(net.transport('alice'));
  bob.connect(net.transport('bob'));
  net.flush();
  alice.update((s, me) => Cart.update(s, me, 'milk', (v, r) => ORMap.increment(v, r, 3)));
  net.flush();
  expect(Cart.snapshot(bob.state)).toEqual({ milk: 3 });
  // Concurrently: neither has seen the other's change when making its own.
  alice.update((s, me) => Cart.remove(s, me, 'milk'));
  bob.update((s, me) => Cart.update(s, me, 'milk', (v, r) => ORMap.increment(v, r, 1)));
  net.flush();
  expect(Cart.snapshot(alice.state)).toEqual({ milk: 1 });
  expect(Cart.equals(alice.state, bob.state)).toBe(true);
});
