import { asReplicaId, DEFAULT_LIMITS, DecodeError, MergeRejectedError, type ReplicaId } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import { describe, expect, test } from 'vitest';
import * as ORMap from '../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const [alice, bob] = ['alice', 'bob'].map(asReplicaId) as [ReplicaId, ReplicaId];
const Cart = ORMap.of(ORMap.counter);
type Cart = typeof Cart.bottom;
const add = (s: Cart, r: ReplicaId, item: string, n: number) => Cart.update(s, r, item, (v, me) => ORMap.increment(v, me, n));
const added = (s: Cart, r: ReplicaId, item: string, n: number) => Cart.merge(s, add(s, r, item, n));

/** The receiver's check refuses `delta` with the typed error, and `state` is as it was. */
function refused<T>(T: ORMap.CausalType<T>, state: T, delta: T): void {
  const before = T.encode(state);
  expect(() => T.validateMerge(state, delta)).toThrow(MergeRejectedError);
  expect(T.encode(state)).toEqual(before);
}

describe('validateMerge refuses dots at the end of the range', () => {
  const state = added(Cart.bottom, alice, 'milk', 3);

  test("a context naming Alice's dot MAX_SAFE_INTEGER: merged, Alice could never add again", () => {
    const hostile = Cart.fromJSON({ context: { vector: [['alice', MAX]], cloud: [] }, entries: [] });
    expect(() => add(Cart.merge(state, hostile), alice, 'eggs', 1)).toThrow(RangeError);
    refused(Cart, state, hostile);
  });

  test('a counter share under a dot one short of the end', () => {
    const hostile = Cart.fromJSON({ context: { vector: [], cloud: [['evil', [MAX - 1]]] }, entries: [['milk', [['evil', MAX - 1, 1]]]] });
    refused(Cart, state, hostile);
  });

  test('three levels deep: the dot of an innermost counter', () => {
    const Root = ORMap.of(ORMap.of(Cart));
    const hostile = Root.fromJSON({
      context: { vector: [], cloud: [['evil', [MAX - 1]]] },
      entries: [['ann', [['home', [['milk', [['evil', MAX - 1, 5]]]]]]]],
    });
    const state = Root.merge(Root.bottom, Root.update(Root.bottom, alice, 'ann', (v, r) => ORMap.of(Cart).update(v, r, 'home', (c, r2) => add(c, r2, 'tea', 1))));
    refused(Root, state, hostile);
  });

  test('honest updates and removes pass', () => {
    Cart.validateMerge(state, add(state, bob, 'milk', 1));
    Cart.validateMerge(state, Cart.remove(state, bob, 'milk'));
    Cart.validateMerge(state, added(Cart.bottom, bob, 'eggs', 2));
  });
});

describe('authors', () => {
  test("an update names its writer alone; a remove names no one, though its context holds others' dots", () => {
    const state = added(added(Cart.bottom, alice, 'milk', 3), bob, 'milk', 1);
    expect([...Cart.authors(add(state, bob, 'milk', 2))]).toEqual(['bob']);
    expect(Cart.authors(Cart.remove(state, bob, 'milk')).size).toBe(0);
    expect([...Cart.authors(state)].sort()).toEqual(['alice', 'bob']);
  });

  test('a forged delta from Bob that carries a value under Alice\'s dot names Alice, so an authenticated link refuses it', () => {
    const forged = Cart.fromJSON({ context: { vector: [['alice', 1]], cloud: [] }, entries: [['milk', [['alice', 1, 1000]]]] });
    expect([...Cart.authors(forged)]).toEqual(['alice']);
  });

  test('nested values: the dots of every level', () => {
    const Settings = ORMap.of(ORMap.of(ORMap.register));
    const delta = Settings.update(Settings.bottom, bob, 'ui', (inner, r) =>
      ORMap.of(ORMap.register).update(inner, r, 'theme', (v, r2) => MVRegister.set(v, r2, 'dark')),
    );
    expect([...Settings.authors(delta)]).toEqual(['bob']);
  });
});

describe('decode applies the limits', () => {
  const state = added(added(added(Cart.bottom, alice, 'milk', 3), bob, 'eggs', 1), alice, 'tea', 2);
  const bytes = Cart.encode(state);

  test('maxCount bounds the keys and the replicas', () => {
    expect(Cart.equals(Cart.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 3 }), state)).toBe(true);
    expect(() => Cart.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 2 })).toThrow(DecodeError);
    const wide = Cart.encode(Cart.fromJSON({ context: { vector: [['a', 1], ['b', 1], ['c', 1]], cloud: [] }, entries: [] }));
    expect(() => Cart.decode(wide, { ...DEFAULT_LIMITS, maxCount: 2 })).toThrow(DecodeError);
  });

  test('maxStringBytes bounds the keys', () => {
    const long = added(Cart.bottom, alice, 'k'.repeat(100), 1);
    expect(() => Cart.decode(Cart.encode(long), { ...DEFAULT_LIMITS, maxStringBytes: 99 })).toThrow(DecodeError);
  });
});
