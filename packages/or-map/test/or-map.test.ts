import { asReplicaId, DecodeError, DEFAULT_LIMITS, InvalidValueError, type ReplicaId } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORSet from '@convergent/or-set';
import { describe, expect, test } from 'vitest';
import * as ORMap from '../src/index.js';

const [alice, bob] = [asReplicaId('alice'), asReplicaId('bob')];
const Cart = ORMap.of(ORMap.counter);
type Cart = typeof Cart.bottom;
const apply = (s: Cart, delta: Cart) => Cart.merge(s, delta);
const add = (s: Cart, r: ReplicaId, item: string, n: number) => Cart.update(s, r, item, (v, me) => ORMap.increment(v, me, n));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('remove is observed-remove with reset', () => {
  test('the seed cart: milk 3 everywhere; Alice removes milk while Bob adds 1: milk 1 after either merge order', () => {
    const start = apply(Cart.bottom, add(Cart.bottom, alice, 'milk', 3));
    const [a, b] = [start, Cart.merge(Cart.bottom, start)];
    expect([Cart.snapshot(a), Cart.snapshot(b)]).toEqual([{ milk: 3 }, { milk: 3 }]);
    const removal = Cart.remove(a, alice, 'milk');
    const addition = add(b, bob, 'milk', 1);
    const aliceAfter = apply(apply(a, removal), addition);
    const bobAfter = apply(apply(b, addition), removal);
    expect(Cart.snapshot(aliceAfter)).toEqual({ milk: 1 });
    expect(Cart.snapshot(bobAfter)).toEqual({ milk: 1 });
    expect(Cart.equals(aliceAfter, bobAfter)).toBe(true);
  });

  test('a remove that has seen every update removes the key, with no tombstone', () => {
    let s = apply(Cart.bottom, add(Cart.bottom, alice, 'milk', 3));
    s = apply(s, add(s, bob, 'milk', 2));
    s = apply(s, Cart.remove(s, alice, 'milk'));
    expect([Cart.has(s, 'milk'), Cart.size(s), Cart.snapshot(s)]).toEqual([false, 0, {}]);
    expect(s.entries.size).toBe(0);
  });

  test('a set inside a map: the remover\'s adds go, a concurrent add survives alone', () => {
    const Tags = ORMap.of(ORMap.set);
    let a = Tags.merge(Tags.bottom, Tags.update(Tags.bottom, alice, 'todo', (v, r) => ORSet.add(v, r, 'home')));
    const b = Tags.merge(Tags.bottom, a);
    const removal = Tags.remove(a, alice, 'todo');
    const addition = Tags.update(b, bob, 'todo', (v, r) => ORSet.add(v, r, 'urgent'));
    a = Tags.merge(Tags.merge(a, removal), addition);
    const b2 = Tags.merge(Tags.merge(b, addition), removal);
    expect(Tags.snapshot(a)).toEqual({ todo: ['urgent'] });
    expect(Tags.equals(a, b2)).toBe(true);
  });

  test('a register inside a map: a concurrent write survives the remove', () => {
    const Settings = ORMap.of(ORMap.register);
    const a = Settings.merge(Settings.bottom, Settings.update(Settings.bottom, alice, 'theme', (v, r) => MVRegister.set(v, r, 'dark')));
    const removal = Settings.remove(a, alice, 'theme');
    const write = Settings.update(a, bob, 'theme', (v, r) => MVRegister.set(v, r, 'light'));
    for (const s of [Settings.merge(Settings.merge(a, removal), write), Settings.merge(Settings.merge(a, write), removal)])
      expect(Settings.snapshot(s)).toEqual({ theme: ['light'] });
  });

  test('one replica writing registers under two keys keeps both (a write\'s delta covers only its own key\'s dots)', () => {
    const Settings = ORMap.of(ORMap.register);
    const write = (s: typeof Settings.bottom, key: string, v: string) => Settings.update(s, alice, key, (r, me) => MVRegister.set(r, me, v));
    let s = Settings.merge(Settings.bottom, write(Settings.bottom, 'theme', 'dark'));
    const delta = write(s, 'lang', 'en');
    s = Settings.merge(s, delta);
    expect(Settings.snapshot(s)).toEqual({ lang: ['en'], theme: ['dark'] });
    // A peer that has the first write keeps it too.
    const peer = Settings.merge(Settings.merge(Settings.bottom, write(Settings.bottom, 'theme', 'dark')), delta);
    expect(Settings.equals(peer, s)).toBe(true);
    // Overwriting a key still replaces its earlier value.
    s = Settings.merge(s, write(s, 'theme', 'light'));
    expect(Settings.snapshot(s)).toEqual({ lang: ['en'], theme: ['light'] });
  });

  test('maps in maps: removing an outer key keeps only the inner updates the remover had not seen', () => {
    const Lists = ORMap.of(Cart);
    const inc = (s: typeof Lists.bottom, r: ReplicaId, list: string, item: string, n: number) =>
      Lists.update(s, r, list, (cart, me) => add(cart, me, item, n));
    let a = Lists.merge(Lists.bottom, inc(Lists.bottom, alice, 'weekly', 'milk', 3));
    a = Lists.merge(a, inc(a, alice, 'weekly', 'eggs', 6));
    const removal = Lists.remove(a, alice, 'weekly');
    const addition = inc(a, bob, 'weekly', 'eggs', 1);
    const s = Lists.merge(Lists.merge(a, removal), addition);
    expect(Lists.snapshot(s)).toEqual({ weekly: { eggs: 1 } });
    expect(Lists.equals(s, Lists.merge(Lists.merge(a, addition), removal))).toBe(true);
  });
});

describe('increments delivered out of order (regression: associativity, CI seed -798654400)', () => {
  // Alice counts milk 1, 3, 5 (dots 1, 2, 3), then removes it. A replica that got only the
  // first state, the last increment and the remove must not lose the first increment:
  // the increment that replaced it (dot 2) has not arrived, and the remove never saw it.
  function history() {
    const first = apply(Cart.bottom, add(Cart.bottom, alice, 'milk', 1));
    const second = add(first, alice, 'milk', 2);
    const third = add(apply(first, second), alice, 'milk', 2);
    const removal = Cart.remove(apply(apply(first, second), third), alice, 'milk');
    return { first, second, third, removal };
  }

  test('merge is associative on them', () => {
    const { first, third, removal } = history();
    const left = Cart.merge(Cart.merge(first, third), removal);
    const right = Cart.merge(first, Cart.merge(third, removal));
    expect(Cart.equals(left, right)).toBe(true);
    expect(Cart.snapshot(left)).toEqual({ milk: 1 });
  });

  test('the count reads the latest increment; the older goes when its replacement arrives', () => {
    const { first, second, third, removal } = history();
    const both = Cart.merge(first, third);
    expect(Cart.snapshot(both)).toEqual({ milk: 5 });
    expect(Cart.equals(Cart.decode(Cart.encode(both)), both)).toBe(true);
    expect(Cart.equals(Cart.fromJSON(JSON.parse(JSON.stringify(Cart.toJSON(both)))), both)).toBe(true);
    expect(Cart.snapshot(Cart.merge(both, second))).toEqual({ milk: 5 });
    expect(Cart.merge(Cart.merge(both, removal), second).entries.size).toBe(0);
  });
});

describe('set adds delivered out of order (regression: OR-Set merge was not associative, older dots dropped)', () => {
  // Alice tags todo with x three times, then removes x. A replica that got only the first
  // state, the third add and the remove must keep the first add: the add that replaced it
  // has not arrived, and the remove never saw it.
  const Tags = ORMap.of(ORMap.set);
  type Tags = typeof Tags.bottom;
  function history() {
    const tag = (s: Tags) => Tags.update(s, alice, 'todo', (v, r) => ORSet.add(v, r, 'x'));
    const first = Tags.merge(Tags.bottom, tag(Tags.bottom));
    const second = tag(first);
    const third = tag(Tags.merge(first, second));
    const removal = Tags.update([first, second, third].reduce(Tags.merge), alice, 'todo', (v, r) => ORSet.remove(v, r, 'x'));
    return { first, second, third, removal };
  }

  test('merge is associative on them, and x stays', () => {
    const { first, third, removal } = history();
    const left = Tags.merge(Tags.merge(first, third), removal);
    const right = Tags.merge(first, Tags.merge(third, removal));
    expect(Tags.equals(left, right)).toBe(true);
    expect(Tags.snapshot(left)).toEqual({ todo: ['x'] });
  });

  test('both dots survive the codecs; the older goes when the add that replaced it arrives', () => {
    const { first, second, third, removal } = history();
    const both = Tags.merge(first, third);
    expect(Tags.equals(Tags.decode(Tags.encode(both)), both)).toBe(true);
    expect(Tags.equals(Tags.fromJSON(JSON.parse(JSON.stringify(Tags.toJSON(both)))), both)).toBe(true);
    expect(Tags.snapshot(Tags.merge(Tags.merge(both, removal), second))).toEqual({});
    expect(Tags.snapshot(Tags.merge(both, Tags.remove(both, alice, 'todo')))).toEqual({});
  });
});

describe('the guide\'s todo list', () => {
  test('Ann deletes a todo while Ben assigns himself: the item comes back holding only the assignment', () => {
    const Item = ORMap.of(ORMap.set);
    const Todos = ORMap.of(Item);
    const tag = (s: typeof Todos.bottom, r: ReplicaId, id: string, field: string, value: string) =>
      Todos.update(s, r, id, (item, me) => Item.update(item, me, field, (set, me2) => ORSet.add(set, me2, value)));
    let a = Todos.bottom;
    a = Todos.merge(a, tag(a, alice, 'todo-1', 'tags', 'home'));
    let b = Todos.merge(Todos.bottom, a);
    const deletion = Todos.remove(a, alice, 'todo-1');
    const assignment = tag(b, bob, 'todo-1', 'assignees', 'ben');
    a = Todos.merge(Todos.merge(a, deletion), assignment);
    b = Todos.merge(Todos.merge(b, assignment), deletion);
    expect(Todos.snapshot(a)).toEqual({ 'todo-1': { assignees: ['ben'] } });
    expect(Todos.equals(a, b)).toBe(true);
  });
});

describe('defaults, tombstones and delta size', () => {
  test('an unwritten value shows its default and holds no dots', () => {
    expect(ORMap.count(Cart.get(Cart.bottom, 'milk'))).toBe(0);
    expect(Cart.get(Cart.bottom, 'milk').store.size).toBe(0);
    expect(MVRegister.values(ORMap.of(ORMap.register).get(ORMap.of(ORMap.register).bottom, 'title'))).toEqual([]);
    // Reading the default writes nothing: the state a reader holds is still bottom.
    expect(Cart.encode(Cart.bottom)).toEqual(new Uint8Array([1, 0, 0, 0]));
  });

  test('removed keys leave no tombstone: 10,000 added, 9,000 removed encodes like the 1,000 live ones', () => {
    let s = Cart.bottom;
    for (let i = 0; i < 10_000; i++) s = apply(s, add(s, alice, `k${i}`, 1));
    for (let i = 0; i < 9_000; i++) s = apply(s, Cart.remove(s, alice, `k${i}`));
    let live = Cart.bottom;
    for (let i = 9_000; i < 10_000; i++) live = apply(live, add(live, alice, `k${i}`, 1));
    expect(Cart.size(s)).toBe(1_000);
    // The only difference: the live dots' counters are 9,001 and up (two-byte
    // varints) where the fresh replica's first 127 take one byte.
    expect(Cart.encode(s).length - Cart.encode(live).length).toBe(127);
  });

  test('updating one counter of 10,000 makes a delta of that entry alone', () => {
    let s = Cart.bottom;
    for (let i = 0; i < 10_000; i++) s = apply(s, add(s, alice, `k${i}`, 1));
    const delta = add(s, bob, 'k5000', 1);
    expect(Cart.keys(delta)).toEqual(['k5000']);
    expect(Cart.encode(delta).length).toBeLessThan(32);
    expect(ORMap.count(Cart.get(apply(s, delta), 'k5000'))).toBe(2);
  });

  test('snapshots share every value that did not change', () => {
    const Tags = ORMap.of(ORMap.set);
    let s = Tags.merge(Tags.bottom, Tags.update(Tags.bottom, alice, 'a', (v, r) => ORSet.add(v, r, 1)));
    s = Tags.merge(s, Tags.update(s, alice, 'b', (v, r) => ORSet.add(v, r, 2)));
    const before = Tags.snapshot(s);
    const after = Tags.snapshot(Tags.merge(s, Tags.update(s, alice, 'b', (v, r) => ORSet.add(v, r, 3))));
    expect(after.a).toBe(before.a);
    expect(after.b).toEqual([2, 3]);
    expect(Object.isFrozen(after)).toBe(true);
    expect(Tags.snapshot(s)).toBe(before);
  });
});

describe('codecs', () => {
  const cart = () => {
    let s = apply(Cart.bottom, add(Cart.bottom, alice, 'milk', 3));
    s = apply(s, add(s, bob, 'eggs', -2));
    return s;
  };

  test('golden vectors: binary and JSON', () => {
    expect(hex(Cart.encode(cart()))).toBe('010205616c6963650103626f62010002046567677301010142046d696c6b01000103');
    expect(Cart.toJSON(cart())).toEqual({
      context: { vector: [['alice', 1], ['bob', 1]], cloud: [] },
      entries: [['eggs', [['bob', 1, -2]]], ['milk', [['alice', 1, 3]]]],
    });
    const Tags = ORMap.of(ORMap.of(ORMap.set));
    const s = Tags.update(Tags.bottom, alice, 'u', (inner, r) => ORMap.of(ORMap.set).update(inner, r, 'todo', (v, me) => ORSet.add(v, me, 'x')));
    // version, context {alice: 1}, key 'u' → key 'todo' → element "x" with dot (alice, 1)
    expect(hex(Tags.encode(s))).toBe('010105616c69636501000101750104746f646f0103227822010001');
    expect(Tags.toJSON(s)).toEqual({ context: { vector: [['alice', 1]], cloud: [] }, entries: [['u', [['todo', [['x', [['alice', 1]]]]]]]] });
  });

  test('decode and fromJSON round-trip', () => {
    expect(Cart.equals(Cart.decode(Cart.encode(cart())), cart())).toBe(true);
    expect(Cart.equals(Cart.fromJSON(JSON.parse(JSON.stringify(Cart.toJSON(cart())))), cart())).toBe(true);
  });

  const ctx = { vector: [['a', 2]], cloud: [] };
  test.each([
    ['keys out of order', { context: ctx, entries: [['b', [['a', 1, 1]]], ['a', [['a', 2, 1]]]] }],
    ['a key without a live value', { context: ctx, entries: [['a', []]] }],
    ['a dot missing from the context', { context: ctx, entries: [['a', [['a', 3, 1]]]] }],
    ['a dot shared by two keys', { context: ctx, entries: [['a', [['a', 1, 1]]], ['b', [['a', 1, 1]]]] }],
    ['a fractional count', { context: ctx, entries: [['a', [['a', 1, 1.5]]]] }],
    ['a key that is not a string', { context: ctx, entries: [[1, [['a', 1, 1]]]] }],
    ['shares out of order', { context: { vector: [['a', 1], ['b', 1]], cloud: [] }, entries: [['k', [['b', 1, 1], ['a', 1, 1]]]] }],
    ["one replica's dots out of order", { context: ctx, entries: [['k', [['a', 2, 3], ['a', 1, 1]]]] }],
    ["one replica's dot repeated", { context: ctx, entries: [['k', [['a', 1, 1], ['a', 1, 1]]]] }],
  ])('fromJSON rejects %s', (_, json) => {
    expect(() => Cart.fromJSON(json)).toThrow(DecodeError);
  });

  test('decode rejects trailing bytes, an unknown version, and counts past the limits', () => {
    const bytes = Cart.encode(cart());
    expect(() => Cart.decode(new Uint8Array([...bytes, 0]))).toThrow(DecodeError);
    expect(() => Cart.decode(new Uint8Array([2, ...bytes.slice(1)]))).toThrow(DecodeError);
    expect(() => Cart.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
  });
});

describe('bad input', () => {
  test('typed errors before anything changes', () => {
    const s = cartOf();
    expect(() => Cart.update(s, alice, 1 as unknown as string, (v, r) => ORMap.increment(v, r, 1))).toThrow(InvalidValueError);
    expect(() => add(s, alice, 'milk', 1.5)).toThrow(RangeError);
    expect(() => add(s, alice, 'milk', Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
    expect(Cart.snapshot(s)).toEqual({ milk: 3 });
  });

  test('keys that are Object.prototype names stay plain keys, in the state and the snapshot', () => {
    let s = apply(Cart.bottom, add(Cart.bottom, alice, '__proto__', 2));
    s = apply(s, add(s, alice, 'constructor', 1));
    expect(Cart.keys(s)).toEqual(['__proto__', 'constructor']);
    expect(Cart.has(Cart.bottom, 'toString')).toBe(false);
    const snap = Cart.snapshot(s);
    expect(Object.getPrototypeOf(snap)).toBe(Object.prototype);
    expect(Object.entries(snap)).toEqual([['__proto__', 2], ['constructor', 1]]);
    expect(Cart.equals(Cart.decode(Cart.encode(s)), s)).toBe(true);
  });

  test(`maps nest at most ${ORMap.MAX_DEPTH} levels`, () => {
    let type: ORMap.ORMapType<unknown, unknown, unknown> = ORMap.of(ORMap.counter) as never;
    for (let depth = 2; depth < ORMap.MAX_DEPTH; depth++) type = ORMap.of(type);
    expect(() => ORMap.of(type)).toThrow(RangeError);
  });

  function cartOf() {
    return apply(Cart.bottom, add(Cart.bottom, alice, 'milk', 3));
  }
});
