import { asReplicaId, DecodeError, DEFAULT_LIMITS, type ReplicaId } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as ORSet from '@convergent/or-set';
import * as Struct from '@convergent/struct';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as ORList from '../src/index.js';

const [ann, ben, cat] = ['ann', 'ben', 'cat'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const Todo = Struct.of({ title: ORMap.register, done: ORMap.register, tags: ORMap.set });
const Todos = ORList.of(Todo);
type Todos = typeof Todos.bottom;
const titled = (title: string) => (t: typeof Todo.bottom, r: ReplicaId) => Todo.update(t, r, 'title', (v, me) => MVRegister.set(v, me, title));
const add = (s: Todos, r: ReplicaId, at: number, title: string) => Todos.merge(s, Todos.insert(s, r, at, titled(title)));
const titles = (s: Todos) => Todos.snapshot(s).map((t) => t.title[0]);

describe('order', () => {
  test('inserts land where they are made', () => {
    let s = add(Todos.bottom, ann, 0, 'b');
    s = add(s, ann, 0, 'a');
    s = add(s, ann, 2, 'd');
    s = add(s, ann, 2, 'c');
    expect(titles(s)).toEqual(['a', 'b', 'c', 'd']);
  });

  test('concurrent inserts at one place: both kept, in one order everywhere (newest first, then replica id)', () => {
    const base = add(Todos.bottom, ann, 0, 'x');
    const fromAnn = Todos.insert(base, ann, 1, titled('ann'));
    const fromBen = Todos.insert(base, ben, 1, titled('ben'));
    const one = Todos.merge(Todos.merge(base, fromAnn), fromBen);
    const two = Todos.merge(Todos.merge(base, fromBen), fromAnn);
    expect(Todos.equals(one, two)).toBe(true);
    expect(titles(one)).toEqual(['x', 'ben', 'ann']);
    // A replica that has seen both inserts puts a new one right where it asks.
    expect(titles(add(one, cat, 2, 'cat'))).toEqual(['x', 'ben', 'cat', 'ann']);
  });

  test('a new element with nothing written shows its default and is there once', () => {
    const s = Todos.merge(Todos.bottom, Todos.insert(Todos.bottom, ann, 0));
    expect(Todos.snapshot(s)).toEqual([{ title: [], done: [], tags: [] }]);
    expect(Todos.length(Todos.merge(s, s))).toBe(1);
  });
});

describe('remove is observed-remove with reset', () => {
  // Ann and Ben both hold [milk, eggs]; Ann removes milk while Ben ticks it.
  function race() {
    let base = add(Todos.bottom, ann, 0, 'milk');
    base = add(base, ann, 1, 'eggs');
    const removal = Todos.remove(base, ann, 0);
    const tick = Todos.update(base, ben, 0, (t, r) => Todo.update(t, r, 'done', (v, me) => MVRegister.set(v, me, true)));
    return { base, removal, tick };
  }

  test('an edit the remover had not seen survives alone, and the element stays where it was', () => {
    const { base, removal, tick } = race();
    const annAfter = Todos.merge(Todos.merge(base, removal), tick);
    const benAfter = Todos.merge(Todos.merge(base, tick), removal);
    expect(Todos.equals(annAfter, benAfter)).toBe(true);
    // The title Ann had seen is gone; Ben's tick stays, in the first place.
    expect(Todos.snapshot(annAfter)).toEqual([
      { title: [], done: [true], tags: [] },
      { title: ['eggs'], done: [], tags: [] },
    ]);
  });

  test('a remove that saw everything removes the element; its position is all that remains', () => {
    const { base, removal } = race();
    const s = Todos.merge(base, removal);
    expect(titles(s)).toEqual(['eggs']);
    const left = [...s.entries.values()].find((e) => !e.born)!;
    expect(left.slot).toEqual({ after: null, stamp: 1 });
    expect(Todo.kind.isEmpty(left.value)).toBe(true);
    // An insert after the removed element still lands right after it.
    const late = Todos.merge(Todos.bottom, Todos.insert(base, ben, 1, titled('bread')));
    expect(titles(Todos.merge(s, late))).toEqual(['bread', 'eggs']);
  });

  test('tombstones: 1,000 inserted, 900 removed; what stays is 900 positions, no values', () => {
    const Numbers = ORList.of(ORMap.counter);
    let s = Numbers.bottom;
    for (let i = 0; i < 1000; i++) s = Numbers.merge(s, Numbers.insert(s, ann, i, (v, r) => ORMap.increment(v, r, i + 1)));
    const full = Numbers.encode(s).length;
    for (let i = 0; i < 900; i++) s = Numbers.merge(s, Numbers.remove(s, ann, 0));
    expect(Numbers.snapshot(s)).toEqual(Array.from({ length: 100 }, (_, i) => 901 + i));
    expect(s.entries.size).toBe(1000);
    const removed = [...s.entries.values()].filter((e) => !e.born);
    expect(removed.length).toBe(900);
    expect(removed.every((e) => e.slot !== undefined && ORMap.counter.isEmpty(e.value))).toBe(true);
    expect(Numbers.encode(s).length).toBeLessThan(full);
  });
});

describe('counters edited out of order (regression: associativity, CI seed -798654400)', () => {
  // Ben inserts a counter at 1, adds 2 twice (its dots: id 1, presence 2, counts 3, 4, 5),
  // then removes it. Merging the insert, the last add and the remove must give one state
  // in either grouping: the first count stays until the add that replaced it arrives.
  test('merge is associative on them, and the element goes once every delta is in', () => {
    const Counters = ORList.of(ORMap.counter);
    const plus = (s: typeof Counters.bottom) => Counters.update(s, ben, 0, (v, r) => ORMap.increment(v, r, 2));
    const a = Counters.merge(Counters.bottom, Counters.insert(Counters.bottom, ben, 0, (v, r) => ORMap.increment(v, r, 1)));
    const second = plus(a);
    const b = plus(Counters.merge(a, second));
    const c = Counters.remove(Counters.merge(Counters.merge(a, second), b), ben, 0);
    const left = Counters.merge(Counters.merge(a, b), c);
    expect(Counters.equals(left, Counters.merge(a, Counters.merge(b, c)))).toBe(true);
    expect(Counters.snapshot(Counters.merge(a, b))).toEqual([5]);
    expect(Counters.snapshot(left)).toEqual([1]);
    expect(Counters.snapshot(Counters.merge(left, second))).toEqual([]);
  });
});

describe('a list inside a map', () => {
  const Lists = ORMap.of(Todos);
  const put = (s: typeof Lists.bottom, r: ReplicaId, key: string, at: number, title: string) =>
    Lists.merge(s, Lists.update(s, r, key, (list, me) => Todos.insert(list, me, at, titled(title))));

  test('removing the key that saw every element leaves nothing at all', () => {
    let s = put(Lists.bottom, ann, 'home', 0, 'milk');
    s = put(s, ann, 'home', 1, 'eggs');
    s = Lists.merge(s, Lists.update(s, ann, 'home', (list, me) => Todos.remove(list, me, 0)));
    s = Lists.merge(s, Lists.remove(s, ann, 'home'));
    expect(s.entries.size).toBe(0);
    expect(Lists.snapshot(s)).toEqual({});
  });

  test('removing the key while an element is inserted: the insert survives, alone', () => {
    const base = put(put(Lists.bottom, ann, 'home', 0, 'milk'), ann, 'home', 1, 'eggs');
    const removal = Lists.remove(base, ann, 'home');
    const insert = Lists.update(base, ben, 'home', (list, me) => Todos.insert(list, me, 1, titled('bread')));
    const one = Lists.merge(Lists.merge(base, removal), insert);
    const two = Lists.merge(Lists.merge(base, insert), removal);
    expect(Lists.equals(one, two)).toBe(true);
    expect(Lists.snapshot(one)).toEqual({ home: [{ title: ['bread'], done: [], tags: [] }] });
  });

  test('removing the key while an element is edited: the edit survives, alone, last', () => {
    const base = put(put(Lists.bottom, ann, 'home', 0, 'milk'), ann, 'home', 1, 'eggs');
    const removal = Lists.remove(base, ann, 'home');
    const tag = Lists.update(base, ben, 'home', (list, me) => Todos.update(list, me, 0, (t, r) => Todo.update(t, r, 'tags', (v, r2) => ORSet.add(v, r2, 'dairy'))));
    const one = Lists.merge(Lists.merge(base, removal), tag);
    expect(Lists.equals(one, Lists.merge(Lists.merge(base, tag), removal))).toBe(true);
    expect(Lists.snapshot(one)).toEqual({ home: [{ title: [], done: [], tags: ['dairy'] }] });
    // Its position went with the list: it stays last, after every element inserted since.
    const home = Lists.get(one, 'home');
    expect(titles(Todos.merge(home, Todos.insert(home, cat, 1, titled('new'))))).toEqual(['new', undefined]);
    expect(titles(Todos.merge(home, Todos.insert(home, cat, 0, titled('new'))))).toEqual(['new', undefined]);
  });
});

test('snapshots: an unchanged element is the same object', () => {
  let s = add(add(Todos.bottom, ann, 0, 'milk'), ann, 1, 'eggs');
  const before = Todos.snapshot(s);
  s = Todos.merge(s, Todos.update(s, ben, 1, (t, r) => Todo.update(t, r, 'done', (v, me) => MVRegister.set(v, me, true))));
  const after = Todos.snapshot(s);
  expect(after[0]).toBe(before[0]);
  expect(after[1]).not.toBe(before[1]);
  expect(Object.isFrozen(after)).toBe(true);
  expect(Todos.snapshot(s)).toBe(after);
});

test('deltas stay small: editing one of 1,000 elements ships that edit only', () => {
  const Numbers = ORList.of(ORMap.counter);
  let s = Numbers.bottom;
  for (let i = 0; i < 1000; i++) s = Numbers.merge(s, Numbers.insert(s, ann, i));
  const delta = Numbers.update(s, ben, 500, (v, r) => ORMap.increment(v, r, 1));
  expect(delta.entries.size).toBe(1);
  expect(Numbers.encode(delta).length).toBeLessThan(32);
});

describe('codecs', () => {
  const Numbers = ORList.of(ORMap.counter);
  const sample = () => {
    let s = Numbers.merge(Numbers.bottom, Numbers.insert(Numbers.bottom, ann, 0, (v, r) => ORMap.increment(v, r, 3)));
    s = Numbers.merge(s, Numbers.insert(s, ann, 1));
    return Numbers.merge(s, Numbers.remove(s, ben, 1));
  };

  test('golden vectors: binary and JSON', () => {
    // version 1, context {ann: 5}, 2 elements by id: (ann 1): flags slot+born, stamp 1, value: ann's
    // share, dot 3, 3; (ann 4): flags slot+after, after (ann 1), stamp 2, empty value (removed).
    expect(hex(Numbers.encode(sample()))).toBe('010103616e6e050002010105010100030301040301010200');
    // An edit of Ann's element by Ben: Ann is not in the delta's table, so her id is spelled out.
    expect(hex(Numbers.encode(Numbers.update(sample(), ben, 0, (v, r) => ORMap.increment(v, r, 1))))).toBe('01010362656e0100010003616e6e010001000101');
    expect(Numbers.toJSON(sample())).toEqual({
      context: { vector: [['ann', 5]], cloud: [] },
      entries: [
        ['ann', 1, [null, 1], true, [['ann', 3, 3]]],
        ['ann', 4, [['ann', 1], 2], false, []],
      ],
    });
    expect(Numbers.equals(Numbers.decode(Numbers.encode(sample())), sample())).toBe(true);
    expect(Numbers.equals(Numbers.fromJSON(JSON.parse(JSON.stringify(Numbers.toJSON(sample())))), sample())).toBe(true);
  });

  const ctx = { vector: [['a', 4]], cloud: [] };
  test.each([
    ['elements out of order', { context: ctx, entries: [['a', 3, [null, 1], true, []], ['a', 1, [null, 2], true, []]] }],
    ['an element with nothing to keep', { context: ctx, entries: [['a', 1, null, false, []]] }],
    ['a position dot missing from the context', { context: ctx, entries: [['a', 5, [null, 1], false, []]] }],
    ['a presence dot missing from the context', { context: ctx, entries: [['a', 4, null, true, []]] }],
    ['a presence dot that is another value’s dot', { context: ctx, entries: [['a', 1, [null, 1], true, [['a', 2, 1]]]] }],
    ['a stamp of 0', { context: ctx, entries: [['a', 1, [null, 0], true, []]] }],
    ['a bad origin', { context: ctx, entries: [['a', 1, [['', 1], 1], true, []]] }],
    ['a missing flag', { context: ctx, entries: [['a', 1, [null, 1], 1, []]] }],
  ])('fromJSON rejects %s', (_, json) => {
    expect(() => Numbers.fromJSON(json)).toThrow(DecodeError);
  });

  test('decode rejects bad flags, a replica written out that is in the table, trailing bytes, counts past the limits', () => {
    const bytes = Numbers.encode(sample());
    const flags = bytes.indexOf(0x05, 9);
    expect(() => Numbers.decode(Uint8Array.from(bytes, (b, i) => (i === flags ? 0x0a : b)))).toThrow(DecodeError);
    expect(() => Numbers.decode(new Uint8Array([...bytes, 0]))).toThrow(DecodeError);
    expect(() => Numbers.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
    const spelled = Numbers.encode(Numbers.update(sample(), ben, 0, (v, r) => ORMap.increment(v, r, 1)));
    expect(Numbers.decode(spelled).entries.size).toBe(1);
  });

  test(`nesting is bounded: lists of lists nest at most ${ORMap.MAX_DEPTH} levels`, () => {
    let type: ORList.ORListType<unknown, unknown, unknown> = ORList.of(ORMap.counter) as never;
    for (let depth = 2; depth < ORMap.MAX_DEPTH; depth++) type = ORList.of(type);
    expect(() => ORList.of(type)).toThrow(RangeError);
  });
});

test('bad input: typed errors, nothing changed', () => {
  const s = add(Todos.bottom, ann, 0, 'milk');
  const before = Todos.encode(s);
  expect(() => Todos.insert(s, ann, 2)).toThrow(RangeError);
  expect(() => Todos.insert(s, ann, -1)).toThrow(RangeError);
  expect(() => Todos.update(s, ann, 1, titled('x'))).toThrow(RangeError);
  expect(() => Todos.remove(s, ann, 0.5)).toThrow(RangeError);
  expect(() => Todos.get(Todos.bottom, 0)).toThrow(RangeError);
  expect(Todos.encode(s)).toEqual(before);
});

test('fuzz: mutated encodings of a nested list decode to a valid state or throw DecodeError', () => {
  // A board: a list of structs, each with a list of registers and a map of counters; removes and edits by three replicas.
  const Sub = ORList.of(ORMap.register);
  const Item = Struct.of({ title: ORMap.register, sub: Sub, votes: ORMap.of(ORMap.counter) });
  const Items = ORList.of(Item);
  let s = Items.bottom;
  for (const [r, at] of [[ann, 0], [ben, 1], [cat, 1], [ann, 3]] as const)
    s = Items.merge(s, Items.insert(s, r, at, (t, me) => Item.update(t, me, 'sub', (l, me2) => Sub.insert(l, me2, 0, (v, me3) => MVRegister.set(v, me3, at)))));
  s = Items.merge(s, Items.update(s, cat, 2, (t, me) => Item.update(t, me, 'votes', (m, me2) => ORMap.of(ORMap.counter).update(m, me2, 'x', (v, me3) => ORMap.increment(v, me3, 5)))));
  s = Items.merge(s, Items.remove(s, ben, 1));
  const bytes = Items.encode(s);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (flips, cut) => {
      const mutated = bytes.slice(0, bytes.length - (cut % 3));
      for (const [at, flip] of flips) mutated[at % mutated.length]! ^= flip;
      let decoded: typeof s;
      try {
        decoded = Items.decode(mutated);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        return;
      }
      expect(Items.equals(Items.decode(Items.encode(decoded)), decoded)).toBe(true);
      Items.snapshot(decoded);
    }),
    { numRuns: 2000 },
  );
});

test('the order a merge carries over (after edits and removes) is the order computed afresh', () => {
  const Numbers = ORList.of(ORMap.counter);
  const replicas = [ann, ben, cat];
  const op = fc.record({ who: fc.nat(2), at: fc.nat(5), how: fc.constantFrom('insert', 'update', 'remove', 'sync') });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const states = replicas.map(() => Numbers.bottom);
      let fresh = 0; // every insert writes its own number, so that the snapshot shows the order
      for (const { who, at, how } of ops) {
        const s = states[who]!;
        const n = Numbers.length(s);
        if (how === 'sync') states[who] = Numbers.merge(s, states[(who + 1) % 3]!);
        else if (how === 'insert') states[who] = Numbers.merge(s, Numbers.insert(s, replicas[who]!, Math.min(at, n), (v, r) => ORMap.increment(v, r, 1000 + fresh++)));
        else if (n > 0)
          states[who] = Numbers.merge(s, how === 'remove' ? Numbers.remove(s, replicas[who]!, at % n) : Numbers.update(s, replicas[who]!, at % n, (v, r) => ORMap.increment(v, r, 1)));
      }
      for (const s of states) expect(Numbers.snapshot(s)).toEqual(Numbers.snapshot(Numbers.decode(Numbers.encode(s))));
    }),
    { numRuns: 300 },
  );
});

test('inserts merged one by one, in any order, are placed where a fresh computation puts them', () => {
  const Numbers = ORList.of(ORMap.counter);
  const replicas = [ann, ben, cat];
  const op = fc.record({ who: fc.nat(2), at: fc.nat(8), sync: fc.boolean() });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), fc.infiniteStream(fc.nat()), (ops, picks) => {
      const states = replicas.map(() => Numbers.bottom);
      const deltas: Array<ORList.ORList<ORMap.CounterStore>> = [];
      ops.forEach(({ who, at, sync }, i) => {
        const s = states[who]!;
        if (sync) return void (states[who] = Numbers.merge(s, states[(who + 1) % 3]!));
        const delta = Numbers.insert(s, replicas[who]!, Math.min(at, Numbers.length(s)), (v, r) => ORMap.increment(v, r, i + 1));
        deltas.push(delta);
        states[who] = Numbers.merge(s, delta);
      });
      // Delivered out of order: an element may come before its origin, and wait for it.
      let s = Numbers.bottom;
      const pending = [...deltas];
      const pick = picks[Symbol.iterator]();
      while (pending.length > 0) {
        s = Numbers.merge(s, pending.splice(pick.next().value % pending.length, 1)[0]!);
        expect(Numbers.snapshot(s)).toEqual(Numbers.snapshot(Numbers.decode(Numbers.encode(s))));
      }
      expect(Numbers.snapshot(s)).toEqual(Numbers.snapshot(deltas.reduce(Numbers.merge, Numbers.bottom)));
    }),
    { numRuns: 300 },
  );
});

test('a merge that adds an element and its successor shows both in order', () => {
  const Numbers = ORList.of(ORMap.counter);
  let next = 0;
  const insert = (s: typeof Numbers.bottom, r: ReplicaId, at: number) => Numbers.merge(s, Numbers.insert(s, r, at, (v, me) => ORMap.increment(v, me, next++)));
  const a = insert(insert(Numbers.bottom, ann, 0), ann, 0);
  const b = insert(insert(Numbers.bottom, ben, 0), ben, 1);
  const merged = Numbers.merge(a, b);
  expect(Numbers.snapshot(merged)).toEqual([1, 2, 3, 0]);
  expect(Numbers.snapshot(merged)).toEqual(Numbers.snapshot(Numbers.decode(Numbers.encode(merged))));
});
