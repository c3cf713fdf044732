import { asReplicaId, DecodeError, InvalidValueError, type JsonValue, type ReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as TwoPhaseSet from '../src/index.js';

const [A, B, C] = ['A', 'B', 'C'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
type S = TwoPhaseSet.TwoPhaseSet;
const add = (s: S, r: ReplicaId, v: JsonValue): S => TwoPhaseSet.merge(s, TwoPhaseSet.add(s, r, v));
const remove = (s: S, r: ReplicaId, v: JsonValue): S => TwoPhaseSet.merge(s, TwoPhaseSet.remove(s, r, v));

describe('semantics', () => {
  test('add, remove, and a removed element never comes back', () => {
    let s = add(add(TwoPhaseSet.bottom, A, 'apple'), A, 'banana');
    s = remove(s, A, 'apple');
    expect(TwoPhaseSet.elements(s)).toEqual(['banana']);
    expect(TwoPhaseSet.wasRemoved(s, 'apple')).toBe(true);
    expect(TwoPhaseSet.wasRemoved(s, 'banana')).toBe(false);
    s = add(s, A, 'apple');
    expect(TwoPhaseSet.has(s, 'apple')).toBe(false);
  });

  test('add of a removed element is a no-op delta, and wasRemoved says why', () => {
    const s = remove(add(TwoPhaseSet.bottom, A, 'x'), A, 'x');
    expect(TwoPhaseSet.add(s, A, 'x')).toBe(TwoPhaseSet.bottom);
    expect(TwoPhaseSet.wasRemoved(s, 'x')).toBe(true);
  });

  test('add on a replica that has not heard of the remove yet is lost once the remove arrives', () => {
    const base = add(TwoPhaseSet.bottom, A, 'x');
    const onA = remove(base, A, 'x');
    const onB = add(TwoPhaseSet.merge(TwoPhaseSet.bottom, base), B, 'x'); // already present: a no-op
    expect(TwoPhaseSet.has(TwoPhaseSet.merge(onA, onB), 'x')).toBe(false);
  });

  test('remove of an element the replica never saw is a no-op delta', () => {
    expect(TwoPhaseSet.remove(TwoPhaseSet.bottom, A, 'ghost')).toBe(TwoPhaseSet.bottom);
    // …so a later add elsewhere is not pre-empted.
    const elsewhere = add(TwoPhaseSet.bottom, B, 'ghost');
    const merged = TwoPhaseSet.merge(TwoPhaseSet.merge(TwoPhaseSet.bottom, TwoPhaseSet.remove(TwoPhaseSet.bottom, A, 'ghost')), elsewhere);
    expect(TwoPhaseSet.has(merged, 'ghost')).toBe(true);
  });

  test('remove of an element already removed is a no-op delta', () => {
    const s = remove(add(TwoPhaseSet.bottom, A, 'x'), A, 'x');
    expect(TwoPhaseSet.remove(s, A, 'x')).toBe(TwoPhaseSet.bottom);
  });

  test('concurrent add and remove of the same element: remove wins, in every delivery order', () => {
    const base = add(TwoPhaseSet.bottom, A, 'x');
    const removal = TwoPhaseSet.remove(base, A, 'x');
    const addY = TwoPhaseSet.add(TwoPhaseSet.bottom, B, 'y');
    const deltas = [TwoPhaseSet.add(TwoPhaseSet.bottom, A, 'x'), removal, addY];
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 0, 2], [1, 2, 0, 1]]) {
      const c = order.reduce((s, i) => TwoPhaseSet.merge(s, deltas[i]!), TwoPhaseSet.bottom);
      expect(TwoPhaseSet.elements(c)).toEqual(['y']);
    }
  });

  test('a remove delivered before its add still removes (the delta carries the element)', () => {
    const base = add(TwoPhaseSet.bottom, A, 'x');
    const removal = TwoPhaseSet.remove(base, A, 'x');
    const c = TwoPhaseSet.merge(TwoPhaseSet.bottom, removal);
    expect(TwoPhaseSet.has(c, 'x')).toBe(false);
    expect(TwoPhaseSet.has(TwoPhaseSet.merge(c, TwoPhaseSet.add(TwoPhaseSet.bottom, A, 'x')), 'x')).toBe(false);
    expect(TwoPhaseSet.size(c)).toBe(0);
  });

  test('elements are identified by canonical key', () => {
    let s = add(TwoPhaseSet.bottom, A, { a: 1, b: 2 });
    expect(TwoPhaseSet.has(s, { b: 2, a: 1 })).toBe(true);
    s = remove(s, C, { b: 2, a: 1 });
    expect(TwoPhaseSet.size(s)).toBe(0);
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['a function', () => 1],
    ['a Map', new Map()],
  ])('rejects %s with InvalidValueError', (_name, bad) => {
    const s = add(TwoPhaseSet.bottom, A, 'x');
    expect(() => TwoPhaseSet.add(s, A, bad as JsonValue)).toThrow(InvalidValueError);
    expect(() => TwoPhaseSet.remove(s, A, bad as JsonValue)).toThrow(InvalidValueError);
    expect(() => TwoPhaseSet.has(s, bad as JsonValue)).toThrow(InvalidValueError);
    expect(() => TwoPhaseSet.wasRemoved(s, bad as JsonValue)).toThrow(InvalidValueError);
  });

  test('merge and mutators leave their inputs untouched; states are frozen', () => {
    const a = add(add(TwoPhaseSet.bottom, A, 'x'), A, 'y');
    const b = remove(add(TwoPhaseSet.bottom, B, 'x'), B, 'x');
    const before = [TwoPhaseSet.encode(a), TwoPhaseSet.encode(b)];
    TwoPhaseSet.merge(a, b);
    TwoPhaseSet.add(a, A, 'z');
    TwoPhaseSet.remove(a, A, 'x');
    expect([TwoPhaseSet.encode(a), TwoPhaseSet.encode(b)]).toEqual(before);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// Checked-in bytes: a format change that breaks stored data fails here.
const golden: Array<{ name: string; state: () => S; hex: string }> = [
  { name: 'bottom', state: () => TwoPhaseSet.bottom, hex: '010000' },
  { name: '{"x"}', state: () => add(TwoPhaseSet.bottom, A, 'x'), hex: '01' + '0103227822' + '00' },
  {
    name: '{"x", 1}, "y" removed',
    state: () => remove(add(add(add(TwoPhaseSet.bottom, A, 'y'), B, 1), A, 'x'), A, 'y'),
    hex: '01' + '02' + '03227822' + '0131' + '01' + '03227922',
  },
];

describe('golden vectors', () => {
  test.each(golden)('$name', ({ state, hex: expected }) => {
    expect(hex(TwoPhaseSet.encode(state()))).toBe(expected);
    expect(TwoPhaseSet.equals(TwoPhaseSet.decode(unhex(expected)), state())).toBe(true);
  });
});

describe('decode rejects bad input with DecodeError', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('020000')],
    ['missing removed half', unhex('0100')],
    ['trailing bytes', unhex('01000000')],
    ['element both live and removed', unhex('01' + '0103227822' + '0103227822')],
    ['live elements out of order', unhex('01' + '02' + '0132' + '0131' + '00')],
    ['removed elements repeated', unhex('01' + '00' + '02' + '0131' + '0131')],
    ['non-canonical JSON', unhex('01' + '01' + '03' + Buffer.from('[ ]').toString('hex') + '00')],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => TwoPhaseSet.decode(bytes)).toThrow(DecodeError);
  });
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['missing removed', { added: { elements: [] } }],
    ['missing added', { removed: { elements: [] } }],
    ['removed element not in added', { added: { elements: ['x'] }, removed: { elements: ['y'] } }],
    ['added out of order', { added: { elements: ['y', 'x'] }, removed: { elements: [] } }],
    ['not JSON', { added: { elements: [{}] }, removed: { elements: 3 } }],
  ];
  test.each(cases)('%s', (_name, json) => {
    expect(() => TwoPhaseSet.fromJSON(json)).toThrow(DecodeError);
  });

  test('errors carry the JSON path', () => {
    expect(() => TwoPhaseSet.fromJSON({ added: { elements: ['y', 'x'] }, removed: { elements: [] } })).toThrow(/\$\.added\.elements\[1\]/);
  });
});
