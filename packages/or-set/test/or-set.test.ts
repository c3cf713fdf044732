import { asReplicaId, DecodeError, InvalidValueError, Writer, type JsonValue, type ReplicaId } from '@convergent/core';
import { DotContext } from '@convergent/version-vector';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as ORSet from '../src/index.js';

const [A, B, C] = ['A', 'B', 'C'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
type S = ORSet.ORSet;
const add = (s: S, r: ReplicaId, v: JsonValue): S => ORSet.merge(s, ORSet.add(s, r, v));
const remove = (s: S, r: ReplicaId, v: JsonValue): S => ORSet.merge(s, ORSet.remove(s, r, v));
const sorted = (s: S) => ORSet.elements(s);

describe('seed examples', () => {
  test('"apple": A removes apple without having seen B\'s concurrent add; B\'s apple survives', () => {
    let a = add(add(ORSet.bottom, A, 'apple'), A, 'banana');
    const b = add(add(ORSet.bottom, B, 'apple'), B, 'cherry');
    a = remove(a, A, 'apple');
    expect(sorted(a)).toEqual(['banana']);
    // The seed article's comment claims {banana, cherry}; with observed-remove
    // semantics A never observed B's add of apple, so it survives.
    const merged = ORSet.merge(a, b);
    expect(sorted(merged)).toEqual(['apple', 'banana', 'cherry']);
    expect(ORSet.equals(merged, ORSet.merge(b, a))).toBe(true);
  });

  test('"apple", variant: A merged B first, so its remove covers both adds; apple is gone everywhere', () => {
    let a = add(add(ORSet.bottom, A, 'apple'), A, 'banana');
    const b = add(add(ORSet.bottom, B, 'apple'), B, 'cherry');
    a = ORSet.merge(a, b);
    a = remove(a, A, 'apple');
    expect(sorted(a)).toEqual(['banana', 'cherry']);
    expect(sorted(ORSet.merge(b, a))).toEqual(['banana', 'cherry']);
    expect(sorted(ORSet.merge(a, b))).toEqual(['banana', 'cherry']);
  });

  test('shopping cart: phone adds a TV, laptop adds a laptop concurrently; both devices end with both', () => {
    const phoneId = asReplicaId('phone');
    const laptopId = asReplicaId('laptop');
    let phone = add(ORSet.bottom, phoneId, { sku: 'tv-55', qty: 1 });
    let laptop = add(ORSet.bottom, laptopId, { sku: 'laptop-14', qty: 1 });
    [phone, laptop] = [ORSet.merge(phone, laptop), ORSet.merge(laptop, phone)];
    const cart = [{ qty: 1, sku: 'laptop-14' }, { qty: 1, sku: 'tv-55' }];
    expect(sorted(phone)).toEqual(cart);
    expect(sorted(laptop)).toEqual(cart);
    // Last-writer-wins on the whole cart keeps one device's version: one item is lost.
    const lww = [[{ sku: 'tv-55', qty: 1 }], [{ sku: 'laptop-14', qty: 1 }]].at(-1)!;
    expect(lww).toHaveLength(1);
  });
});

describe('semantics', () => {
  test('concurrent add and remove of the same element: add wins on every replica, in every delivery order', () => {
    // A and B both hold x; then A removes it while B re-adds it, concurrently.
    const base = add(ORSet.bottom, A, 'x');
    const b0 = ORSet.merge(ORSet.bottom, base);
    const removal = ORSet.remove(base, A, 'x');
    const readd = ORSet.add(b0, B, 'x');
    const a1 = ORSet.merge(base, removal);
    const b1 = ORSet.merge(b0, readd);
    expect(ORSet.has(a1, 'x')).toBe(false);
    const deltas = [ORSet.add(ORSet.bottom, A, 'x'), removal, readd];
    const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0], [1, 2, 1, 0, 2]];
    for (const order of orders) {
      const c = order.reduce((s, i) => ORSet.merge(s, deltas[i]!), ORSet.bottom);
      expect(ORSet.has(c, 'x')).toBe(true);
    }
    expect(ORSet.has(ORSet.merge(a1, b1), 'x')).toBe(true);
    expect(ORSet.has(ORSet.merge(b1, a1), 'x')).toBe(true);
    expect(ORSet.has(ORSet.merge(ORSet.merge(a1, readd), b1), 'x')).toBe(true);
  });

  test('a remove deletes only observed adds', () => {
    const a = add(ORSet.bottom, A, 'x');
    const b = add(ORSet.bottom, B, 'x');
    const merged = ORSet.merge(a, b);
    // A removes before seeing B's add: B's add survives.
    expect(ORSet.has(ORSet.merge(remove(a, A, 'x'), b), 'x')).toBe(true);
    // C removes after seeing both: gone.
    const c = remove(merged, C, 'x');
    expect(ORSet.has(ORSet.merge(ORSet.merge(c, a), b), 'x')).toBe(false);
  });

  test('re-adding after a remove works, and the re-add reaches replicas that saw the remove', () => {
    let a = add(ORSet.bottom, A, 'x');
    a = remove(a, A, 'x');
    let b = ORSet.merge(ORSet.bottom, a);
    expect(ORSet.has(b, 'x')).toBe(false);
    a = add(a, A, 'x');
    expect(ORSet.has(a, 'x')).toBe(true);
    b = ORSet.merge(b, a);
    expect(ORSet.has(b, 'x')).toBe(true);
  });

  test('remove of an element the replica does not hold is the bottom delta', () => {
    const a = add(ORSet.bottom, A, 'x');
    expect(ORSet.equals(ORSet.remove(a, A, 'y'), ORSet.bottom)).toBe(true);
    expect(ORSet.equals(ORSet.clear(ORSet.bottom, A), ORSet.bottom)).toBe(true);
  });

  test('clear removes what was observed and keeps concurrent adds', () => {
    let a = add(add(ORSet.bottom, A, 'x'), A, 'y');
    const b = add(ORSet.merge(ORSet.bottom, a), B, 'z');
    a = ORSet.merge(a, ORSet.clear(a, A));
    expect(ORSet.size(a)).toBe(0);
    expect(sorted(ORSet.merge(a, b))).toEqual(['z']);
  });

  test('elements are identified by canonical key: {a: 1, b: 2} and {b: 2, a: 1} are one element', () => {
    let s = add(ORSet.bottom, A, { a: 1, b: 2 });
    s = add(s, B, { b: 2, a: 1 });
    expect(ORSet.size(s)).toBe(1);
    expect(ORSet.has(s, { b: 2, a: 1 })).toBe(true);
    s = remove(s, C, { b: 2, a: 1 });
    expect(ORSet.size(s)).toBe(0);
  });

  test('keys never become object properties: "__proto__" and "constructor" are ordinary elements', () => {
    const proto = JSON.parse('{"__proto__": 1}') as JsonValue;
    let s = add(ORSet.bottom, A, '__proto__');
    s = add(s, A, 'constructor');
    s = add(s, A, proto);
    expect(ORSet.size(s)).toBe(3);
    expect(ORSet.has(s, 'toString')).toBe(false);
    expect(ORSet.equals(ORSet.decode(ORSet.encode(s)), s)).toBe(true);
    expect(ORSet.equals(ORSet.fromJSON(JSON.parse(JSON.stringify(ORSet.toJSON(s)))), s)).toBe(true);
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a function', () => 1],
    ['a Map', new Map()],
    ['a Date', new Date(0)],
    ['an object holding undefined', { a: undefined }],
  ])('rejects %s with InvalidValueError before anything changes', (_name, bad) => {
    const s = add(ORSet.bottom, A, 'x');
    expect(() => ORSet.add(s, A, bad as JsonValue)).toThrow(InvalidValueError);
    expect(() => ORSet.remove(s, A, bad as JsonValue)).toThrow(InvalidValueError);
    expect(() => ORSet.has(s, bad as JsonValue)).toThrow(InvalidValueError);
    expect(sorted(s)).toEqual(['x']);
  });

  test('elements returns fresh copies: changing them does not change the set', () => {
    const s = add(ORSet.bottom, A, { list: [1] });
    (ORSet.elements(s)[0] as { list: number[] }).list.push(2);
    expect(ORSet.elements(s)).toEqual([{ list: [1] }]);
  });

  test('adding a value and then mutating the caller\'s object does not change the set', () => {
    const item = { list: [1] };
    const s = add(ORSet.bottom, A, item);
    item.list.push(2);
    expect(ORSet.elements(s)).toEqual([{ list: [1] }]);
  });

  test('regression (core countsEqual): the same element with a different dot of one replica is not equal', () => {
    let a = add(ORSet.bottom, A, 'x');
    const d2 = ORSet.add(a, A, 'x');
    a = ORSet.merge(a, d2);
    // The first delta merged into the second must not keep the retired dot.
    const d1 = ORSet.add(ORSet.bottom, A, 'x');
    expect(ORSet.equals(ORSet.merge(d1, d2), a)).toBe(true);
    expect(ORSet.equals(ORSet.merge(d1, d2), ORSet.merge(d1, ORSet.bottom))).toBe(false);
    expect(ORSet.toJSON(ORSet.merge(d1, d2)).entries).toEqual([['x', [['A', 2]]]]);
  });

  test('merge and mutators leave their inputs untouched; states are frozen', () => {
    const a = add(add(ORSet.bottom, A, 'x'), A, 'y');
    const b = add(ORSet.bottom, B, 'x');
    const before = [ORSet.encode(a), ORSet.encode(b)];
    ORSet.merge(a, b);
    ORSet.add(a, A, 'z');
    ORSet.remove(a, A, 'x');
    ORSet.clear(a, A);
    expect([ORSet.encode(a), ORSet.encode(b)]).toEqual(before);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('bounded state: no tombstones', () => {
  test('10,000 add/remove cycles of one element on two replicas that keep merging stay under 32 bytes', () => {
    let a = ORSet.bottom;
    let b = ORSet.bottom;
    let largest = 0;
    for (let i = 0; i < 10_000; i++) {
      // Alternate who adds and who removes; exchange deltas or full states.
      const [adder, remover] = i % 2 === 0 ? [A, B] : [B, A];
      let x = adder === A ? a : b;
      let y = adder === A ? b : a;
      const addDelta = ORSet.add(x, adder, 'item');
      x = ORSet.merge(x, addDelta);
      y = i % 3 === 0 ? ORSet.merge(y, x) : ORSet.merge(y, addDelta);
      const removeDelta = ORSet.remove(y, remover, 'item');
      y = ORSet.merge(y, removeDelta);
      x = i % 5 === 0 ? ORSet.merge(x, y) : ORSet.merge(x, removeDelta);
      [a, b] = adder === A ? [x, y] : [y, x];
      largest = Math.max(largest, ORSet.encode(a).length, ORSet.encode(b).length);
    }
    expect(ORSet.size(a)).toBe(0);
    expect(ORSet.equals(a, b)).toBe(true);
    expect(largest).toBeLessThan(32);
    // The whole history fits in the context's vector: {A: 5000, B: 5000}.
    expect(ORSet.toJSON(a)).toEqual({ context: { vector: [['A', 5000], ['B', 5000]], cloud: [] }, entries: [] });
  });
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// Checked-in bytes: a format change that breaks stored data fails here.
const golden: Array<{ name: string; state: () => S; hex: string }> = [
  { name: 'bottom', state: () => ORSet.bottom, hex: '01000000' },
  { name: 'A adds "x"', state: () => add(ORSet.bottom, A, 'x'), hex: '010101410100' + '01' + '03227822' + '01' + '00' + '01' },
  {
    name: 'A adds 1 and removes it; B adds {"a":1} unseen by A, then merged',
    state: () => ORSet.merge(remove(add(ORSet.bottom, A, 1), A, 1), add(ORSet.bottom, B, { a: 1 })),
    hex: '01' + '02' + '014101' + '014201' + '00' + '01' + '077b2261223a317d' + '01' + '01' + '01',
  },
  {
    name: 'both add "x"; A gets only B\'s re-add of "x" (its cloud: B:3 past a gap), then adds "y" twice',
    state: () => {
      const b = add(add(ORSet.bottom, B, 'x'), B, 'z');
      let a = ORSet.merge(add(ORSet.bottom, A, 'x'), ORSet.add(b, B, 'x'));
      a = add(add(a, A, 'y'), A, 'y');
      return a;
    },
    hex: '01' + '02' + '014103' + '014201' + '01' + '0142' + '01' + '01' + '02' + '03227822' + '02' + '00' + '01' + '00' + '03' + '03227922' + '01' + '00' + '03',
  },
];

describe('golden vectors', () => {
  test.each(golden)('$name', ({ state, hex: expected }) => {
    expect(hex(ORSet.encode(state()))).toBe(expected);
    expect(ORSet.equals(ORSet.decode(unhex(expected)), state())).toBe(true);
  });
});

describe('decode rejects bad input with DecodeError', () => {
  const ctxA1 = '010101410100';
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('02000000')],
    ['truncated', unhex(ctxA1 + '01' + '0322')],
    ['trailing bytes', unhex('0100000000')],
    ['element without dots', unhex(ctxA1 + '01' + '03227822' + '00')],
    ['dot not in the context', unhex(ctxA1 + '01' + '03227822' + '01' + '00' + '02')],
    ['zero counter', unhex(ctxA1 + '01' + '03227822' + '01' + '00' + '00')],
    ['replica index out of range', unhex(ctxA1 + '01' + '03227822' + '01' + '01' + '01')],
    ['more dots than replicas', unhex(ctxA1 + '01' + '03227822' + '02' + '00' + '01' + '00' + '01')],
    ['dot shared by two elements', unhex('010101410200' + '02' + '03227822' + '01' + '00' + '01' + '03227922' + '01' + '00' + '01')],
    ['elements out of order', unhex('010101410200' + '02' + '03227922' + '01' + '00' + '01' + '03227822' + '01' + '00' + '02')],
    ['repeated element', unhex('010101410200' + '02' + '03227822' + '01' + '00' + '01' + '03227822' + '01' + '00' + '02')],
    ['non-canonical JSON key', unhex('010101410100' + '01' + '0d' + Buffer.from('{"b":1,"a":2}').toString('hex') + '01' + '00' + '01')],
    ['invalid JSON key', unhex(ctxA1 + '01' + '01' + '78' + '01' + '00' + '01')],
    ['element count past the bytes left', unhex(ctxA1 + 'ff01')],
    ['invalid UTF-8 key', unhex(ctxA1 + '01' + '01' + 'ff' + '01' + '00' + '01')],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => ORSet.decode(bytes)).toThrow(DecodeError);
  });

  test('not a Uint8Array', () => {
    expect(() => ORSet.decode([1, 0, 0, 0] as unknown as Uint8Array)).toThrow(DecodeError);
  });

  test('a huge string length is refused before allocation', () => {
    const bytes = new Writer().byte(1).raw(unhex(ctxA1.slice(2))).uint(1).uint(2 ** 40).finish();
    expect(() => ORSet.decode(bytes)).toThrow(DecodeError);
  });
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const ctx = { vector: [['A', 2]], cloud: [] };
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['missing entries', { context: ctx }],
    ['missing context', { entries: [] }],
    ['entry not a pair', { context: ctx, entries: [['x']] }],
    ['element not JSON (nested too deep)', { context: ctx, entries: [[JSON.parse('['.repeat(70) + ']'.repeat(70)), [['A', 1]]]] }],
    ['element without dots', { context: ctx, entries: [['x', []]] }],
    ['dot not in the context', { context: ctx, entries: [['x', [['A', 3]]]] }],
    ['dot shared by two elements', { context: ctx, entries: [['x', [['A', 1]]], ['y', [['A', 1]]]] }],
    ['elements out of order', { context: ctx, entries: [['y', [['A', 1]]], ['x', [['A', 2]]]] }],
    ['the same element twice, spelled differently', { context: ctx, entries: [[{ a: 1, b: 2 }, [['A', 1]]], [{ b: 2, a: 1 }, [['A', 2]]]] }],
    ['zero counter', { context: ctx, entries: [['x', [['A', 0]]]] }],
    ['__proto__ replica', { context: ctx, entries: [['x', JSON.parse('[["__proto__", 1]]')]] }],
    ['bad context', { context: { vector: [['A', 0]], cloud: [] }, entries: [] }],
  ];
  test.each(cases)('%s', (_name, json) => {
    expect(() => ORSet.fromJSON(json)).toThrow(DecodeError);
  });

  test('errors carry the JSON path', () => {
    expect(() => ORSet.fromJSON({ context: ctx, entries: [['x', [['A', 3]]]] })).toThrow(/\$\.entries\[0\]/);
  });
});

test('10,000 live string elements added on 3 replicas encode in under 16 bytes each (see test/size-10k.ts)', () => {
  const replicas = ['replica-1', 'replica-2', 'replica-3'].map(asReplicaId);
  const states = replicas.map((replica, r) => {
    let state = ORSet.bottom;
    for (let i = r; i < 10_000; i += 3) state = ORSet.merge(state, ORSet.add(state, replica, `item-${i}`));
    return state;
  });
  const merged = states.reduce(ORSet.merge, ORSet.bottom);
  expect(ORSet.size(merged)).toBe(10_000);
  const bytes = ORSet.encode(merged);
  expect(bytes.length).toBeLessThan(160_000);
  expect(ORSet.equals(ORSet.decode(bytes), merged)).toBe(true);
});

describe('agrees with an abstract model of observed-remove semantics', () => {
  // Model replica: every add event it has heard of (dot -> element) and every dot
  // some remove, clear or re-add it has heard of covered. Live = added - covered.
  type Model = { adds: Map<string, string>; covered: Set<string>; counter: number };
  type Step =
    | { kind: 'add'; at: number; value: string }
    | { kind: 'remove'; at: number; value: string }
    | { kind: 'clear'; at: number }
    | { kind: 'sync'; at: number; from: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), at: fc.nat(2), value: fc.constantFrom('x', 'y', 'z') }),
    fc.record({ kind: fc.constant('remove' as const), at: fc.nat(2), value: fc.constantFrom('x', 'y', 'z') }),
    fc.record({ kind: fc.constant('clear' as const), at: fc.nat(2) }),
    fc.record({ kind: fc.constant('sync' as const), at: fc.nat(2), from: fc.nat(2) }),
  );
  const liveOf = (m: Model, value?: string) =>
    [...m.adds].filter(([dot, v]) => !m.covered.has(dot) && (value === undefined || v === value)).map(([dot]) => dot);

  test('every replica holds exactly the model\'s live adds, after any history', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const ids = [A, B, C];
        const states = ids.map(() => ORSet.bottom);
        const models: Model[] = ids.map(() => ({ adds: new Map(), covered: new Set(), counter: 0 }));
        for (const s of steps) {
          const m = models[s.at]!;
          const r = ids[s.at]!;
          if (s.kind === 'add') {
            for (const dot of liveOf(m, JSON.stringify(s.value))) m.covered.add(dot);
            m.adds.set(`${r}:${++m.counter}`, JSON.stringify(s.value));
            states[s.at] = add(states[s.at]!, r, s.value);
          } else if (s.kind === 'remove') {
            for (const dot of liveOf(m, JSON.stringify(s.value))) m.covered.add(dot);
            states[s.at] = remove(states[s.at]!, r, s.value);
          } else if (s.kind === 'clear') {
            for (const dot of liveOf(m)) m.covered.add(dot);
            states[s.at] = ORSet.merge(states[s.at]!, ORSet.clear(states[s.at]!, r));
          } else {
            const from = models[s.from]!;
            for (const [dot, v] of from.adds) m.adds.set(dot, v);
            for (const dot of from.covered) m.covered.add(dot);
            states[s.at] = ORSet.merge(states[s.at]!, states[s.from]!);
          }
        }
        return states.every((state, i) => {
          const actual = [...state.entries].flatMap(([key, dots]) => [...dots].map(([rep, c]) => `${rep}:${c} ${key}`)).sort();
          const expected = liveOf(models[i]!).map((dot) => `${dot} ${models[i]!.adds.get(dot)}`).sort();
          return JSON.stringify(actual) === JSON.stringify(expected);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('merge of a delta into a large state (the dot-index path)', () => {
  // The join by definition, over the JSON form: a dot stays live if both sides hold
  // it, or one side holds it and the other has never seen it.
  function reference(a: S, b: S): ORSet.ORSetJSON {
    const context = DotContext.merge(a.context, b.context);
    const live = (s: S) => new Map(ORSet.toJSON(s).entries.map(([v, dots]) => [JSON.stringify(v), new Set(dots.map((dot) => dot.join(' ')))]));
    const [la, lb] = [live(a), live(b)];
    const entries: ORSet.ORSetJSON['entries'] = [];
    for (const key of new Set([...la.keys(), ...lb.keys()])) {
      const da = la.get(key) ?? new Set<string>();
      const db = lb.get(key) ?? new Set<string>();
      const kept = new Set<string>();
      for (const [mine, theirs, other] of [[da, db, b], [db, da, a]] as const)
        for (const dot of mine) {
          const [replica, counter] = dot.split(' ') as [string, string];
          if (theirs.has(dot) || !DotContext.has(other.context, { replica: asReplicaId(replica), counter: Number(counter) })) kept.add(dot);
        }
      const dots = [...kept].map((dot): [string, number] => [dot.split(' ')[0]!, Number(dot.split(' ')[1])]);
      if (dots.length) entries.push([JSON.parse(key) as JsonValue, dots.sort(([p, m], [q, n]) => (p < q ? -1 : p > q ? 1 : m - n))]);
    }
    return ORSet.toJSON(ORSet.fromJSON({ context: DotContext.toJSON(context), entries: entries.sort(([p], [q]) => (JSON.stringify(p) < JSON.stringify(q) ? -1 : 1)) }));
  }

  test('adds, re-adds, removes and clears from any replica merge as the definition says', () => {
    const op = fc.record({ replica: fc.constantFrom(A, B, C), kind: fc.constantFrom('add', 'add', 'remove', 'clear'), value: fc.nat(60) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (ops) => {
        // Three replicas start from one large shared state, then exchange deltas.
        let shared: S = ORSet.bottom;
        for (let i = 0; i < 100; i++) shared = add(shared, C, `seed${i}`);
        const replicas = new Map<ReplicaId, S>([[A, shared], [B, shared], [C, shared]]);
        for (const { replica, kind, value } of ops) {
          const state = replicas.get(replica)!;
          const delta = kind === 'clear' && value > 5 ? ORSet.bottom : kind === 'clear' ? ORSet.clear(state, replica) : ORSet[kind as 'add' | 'remove'](state, replica, value % 2 ? value : `seed${value}`);
          for (const [r, s] of replicas) {
            const merged = ORSet.merge(s, delta);
            expect(ORSet.toJSON(merged)).toEqual(reference(s, delta));
            replicas.set(r, r === replica || value % 3 ? merged : s);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('adds delivered out of order (regression: merge was not associative, older dots dropped)', () => {
  // A adds x three times (dots 1, 2, 3), then removes it. A replica that got only the first
  // state, the third add and the remove must keep dot 1: the add that replaced it (dot 2)
  // has not arrived, and the remove never saw it.
  function history() {
    const first = add(ORSet.bottom, A, 'x');
    const second = ORSet.add(first, A, 'x');
    const third = ORSet.add(ORSet.merge(first, second), A, 'x');
    const removal = ORSet.remove([first, second, third].reduce(ORSet.merge), A, 'x');
    return { first, second, third, removal };
  }

  test('merge(merge(s1, d3), r) equals merge(s1, merge(d3, r)), and x stays', () => {
    const { first, third, removal } = history();
    const left = ORSet.merge(ORSet.merge(first, third), removal);
    const right = ORSet.merge(first, ORSet.merge(third, removal));
    expect(ORSet.equals(left, right)).toBe(true);
    expect(ORSet.elements(left)).toEqual(['x']);
  });

  test('the older dot stays beside the later until the add that replaced it arrives', () => {
    const { first, second, third, removal } = history();
    const both = ORSet.merge(first, third);
    expect(ORSet.liveDots(both.entries.get('"x"'))).toEqual([{ replica: A, counter: 1 }, { replica: A, counter: 3 }]);
    expect(ORSet.liveDots(ORSet.merge(both, second).entries.get('"x"'))).toEqual([{ replica: A, counter: 3 }]);
    expect(ORSet.elements(ORSet.merge(ORSet.merge(both, removal), second))).toEqual([]);
    // A remove on the replica holding both dots covers both.
    expect(ORSet.elements(ORSet.merge(both, ORSet.remove(both, A, 'x')))).toEqual([]);
    expect(ORSet.elements(ORSet.merge(both, ORSet.clear(both, A)))).toEqual([]);
    expect(ORSet.leq(first, both) && ORSet.leq(third, both) && !ORSet.leq(both, first)).toBe(true);
  });

  test('a remove delta merged into a large state finds the older dot (the dot-index path)', () => {
    const { first, third } = history();
    let big = ORSet.merge(first, third);
    for (let i = 0; i < 64; i++) big = add(big, B, i);
    const after = ORSet.merge(big, ORSet.remove(first, A, 'x'));
    expect(ORSet.liveDots(after.entries.get('"x"'))).toEqual([{ replica: A, counter: 3 }]);
    expect(ORSet.equals(after, ORSet.merge(ORSet.remove(first, A, 'x'), big))).toBe(true);
  });

  test('a state with two dots of one replica for one element round-trips through both codecs', () => {
    const { first, third } = history();
    const both = ORSet.merge(first, third);
    expect(ORSet.equals(ORSet.decode(ORSet.encode(both)), both)).toBe(true);
    const json = ORSet.toJSON(both);
    expect(json.entries).toEqual([['x', [['A', 1], ['A', 3]]]]);
    expect(ORSet.equals(ORSet.fromJSON(JSON.parse(JSON.stringify(json))), both)).toBe(true);
    // One dot per replica keeps the original encoding (golden vectors above).
    expect(ORSet.equals(ORSet.decode(ORSet.encode(third)), third)).toBe(true);
  });

  test('decoders reject one replica\'s dots out of order or repeated', () => {
    const context = DotContext.fromDots([1, 2, 3].map((counter) => ({ replica: A, counter })));
    const encoded = (write: (w: Writer) => void) => {
      const w = new Writer().byte(1);
      DotContext.write(w, context);
      write(w.uint(1).string('"x"'));
      return w.finish();
    };
    expect(ORSet.elements(ORSet.decode(encoded((w) => w.uint(0).uint(2).uint(0).uint(1).uint(0).uint(3))))).toEqual(['x']);
    const bad: Array<[string, (w: Writer) => void]> = [
      ['out of order', (w) => w.uint(0).uint(2).uint(0).uint(3).uint(0).uint(1)],
      ['repeated', (w) => w.uint(0).uint(2).uint(0).uint(1).uint(0).uint(1)],
      ['repeat form without a repeat', (w) => w.uint(0).uint(1).uint(0).uint(1)],
      ['repeat form without dots', (w) => w.uint(0).uint(0)],
    ];
    for (const [name, write] of bad) expect(() => ORSet.decode(encoded(write)), name).toThrow(DecodeError);
    const json = (dots: Array<[string, number]>) => ({ context: DotContext.toJSON(context), entries: [['x', dots]] });
    expect(ORSet.elements(ORSet.fromJSON(json([['A', 1], ['A', 3]])))).toEqual(['x']);
    expect(() => ORSet.fromJSON(json([['A', 3], ['A', 1]]))).toThrow(DecodeError);
    expect(() => ORSet.fromJSON(json([['A', 1], ['A', 1]]))).toThrow(DecodeError);
  });
});
