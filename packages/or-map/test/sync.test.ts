import { asReplicaId, MergeRejectedError } from '@convergent/core';
import { encodeMessage, MemoryNetwork, Replica, UnauthorizedError, type Sender, type TransportHandlers } from '@convergent/sync';
import { describe, expect, test } from 'vitest';
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

describe('a hostile peer, written as an attacker would', () => {
  const MAX = Number.MAX_SAFE_INTEGER;
  const mallory: Sender = { replicas: new Set([asReplicaId('mallory')]), trusted: false };
  /** Bob with a cart holding milk 3, plus the attacker's own authenticated line to him. */
  function bobUnderAttack() {
    const errors: unknown[] = [];
    const bob = new Replica({ id: asReplicaId('bob'), type: Cart, gossipMs: 0, onError: (e) => errors.push(e) });
    let line: TransportHandlers | undefined;
    bob.connect({ connected: false, send: () => {}, listen: (h) => ((line = h), () => {}) });
    bob.update((s, me) => Cart.update(s, me, 'milk', (v, r) => ORMap.increment(v, r, 3)));
    const send = (json: unknown) =>
      line!.message(
        encodeMessage({ kind: 'state', doc: '', from: asReplicaId('mallory'), to: undefined, ask: false, seq: undefined, deps: undefined, covers: undefined, payload: Cart.encode(Cart.fromJSON(json)) }),
        mallory,
      );
    return { bob, errors, send };
  }

  test("a value forged under Alice's dot is refused: Mallory may author only as herself", () => {
    const { bob, errors, send } = bobUnderAttack();
    const before = Cart.encode(bob.state);
    send({ context: { vector: [['alice', 1]], cloud: [] }, entries: [['milk', [['alice', 1, 1000]]]] });
    expect(errors[0]).toBeInstanceOf(UnauthorizedError);
    expect(Cart.encode(bob.state)).toEqual(before);
  });

  test("a context naming Bob's dot MAX_SAFE_INTEGER is refused: Bob can still add", () => {
    const { bob, errors, send } = bobUnderAttack();
    const before = Cart.encode(bob.state);
    send({ context: { vector: [['bob', MAX]], cloud: [] }, entries: [] });
    expect(errors[0]).toBeInstanceOf(MergeRejectedError);
    expect(Cart.encode(bob.state)).toEqual(before);
    bob.update((s, me) => Cart.update(s, me, 'milk', (v, r) => ORMap.increment(v, r, 1)));
    expect(Cart.snapshot(bob.state)).toEqual({ milk: 4 });
  });
});
