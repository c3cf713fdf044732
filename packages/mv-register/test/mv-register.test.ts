import { asReplicaId, DecodeError, InvalidValueError, Writer, type JsonValue, type ReplicaId } from '@convergent/core';
import { DotContext } from '@convergent/version-vector';
import { describe, expect, test } from 'vitest';
import * as MVRegister from '../src/index.js';

type State = MVRegister.MVRegister;
const [A, B, C] = ['replica1', 'replica2', 'replica3'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
/** Applies a write locally, as a replica does: merge the delta it returns. */
const write = (state: State, replica: ReplicaId, value: JsonValue) => MVRegister.merge(state, MVRegister.set(state, replica, value));
const mergeAll = (...states: State[]) => states.reduce(MVRegister.merge, MVRegister.bottom);

describe('seed example: Alice, Alicia, Allison', () => {
  test('three concurrent writes become three siblings; a write that saw them resolves them everywhere', () => {
    // Three replicas write the user's name concurrently.
    let r1 = write(MVRegister.bottom, A, 'Alice');
    let r2 = write(MVRegister.bottom, B, 'Alicia');
    let r3 = write(MVRegister.bottom, C, 'Allison');
    // After anti-entropy, a read returns all three siblings, on every replica.
    [r1, r2, r3] = [mergeAll(r1, r2, r3), mergeAll(r2, r3, r1), mergeAll(r3, r1, r2)];
    for (const r of [r1, r2, r3]) expect(MVRegister.values(r)).toEqual(['Alice', 'Alicia', 'Allison']);
    // Replica 1 resolves the conflict, having seen all three.
    r1 = write(r1, A, 'Alice');
    [r1, r2, r3] = [mergeAll(r1, r2, r3), mergeAll(r2, r1, r3), mergeAll(r3, r2, r1)];
    for (const r of [r1, r2, r3]) {
      expect(MVRegister.values(r)).toEqual(['Alice']);
      expect(r.entries).toHaveLength(1);
      expect(MVRegister.equals(r, r1)).toBe(true);
    }
    // The context remembers every write (the vector clock [2, 1, 1] of the seed).
    expect(DotContext.toJSON(r1.context)).toEqual({ vector: [['replica1', 2], ['replica2', 1], ['replica3', 1]], cloud: [] });
  });
});

describe('set and merge', () => {
  test('a set replaces every value the replica has seen, and only those', () => {
    const x = write(MVRegister.bottom, A, 'x');
    const y = write(MVRegister.bottom, B, 'y');
    // A resolves {x, y} while C, having seen only x, writes w concurrently.
    const resolved = write(MVRegister.merge(x, y), A, 'z');
    const concurrent = write(x, C, 'w');
    expect(MVRegister.values(MVRegister.merge(resolved, concurrent))).toEqual(['w', 'z']);
  });

  test('the delta holds the new value and the dots it replaces', () => {
    const state = MVRegister.merge(write(MVRegister.bottom, A, 'x'), write(MVRegister.bottom, B, 'y'));
    expect(MVRegister.toJSON(MVRegister.set(state, A, 'z'))).toEqual({
      entries: [{ replica: 'replica1', counter: 2, value: 'z' }],
      context: { vector: [['replica1', 2], ['replica2', 1]], cloud: [] },
    });
  });

  test('deltas delivered out of order: an overwritten value that arrives late stays overwritten', () => {
    const d1 = MVRegister.set(MVRegister.bottom, A, 'first');
    const d2 = MVRegister.set(MVRegister.merge(MVRegister.bottom, d1), A, 'second');
    const late = MVRegister.merge(MVRegister.merge(MVRegister.bottom, d2), d1);
    expect(MVRegister.values(late)).toEqual(['second']);
    expect(MVRegister.equals(late, MVRegister.merge(d1, d2))).toBe(true);
  });

  test('the same value written concurrently is one value, two siblings', () => {
    const merged = MVRegister.merge(write(MVRegister.bottom, A, { ok: true }), write(MVRegister.bottom, B, { ok: true }));
    expect(MVRegister.values(merged)).toEqual([{ ok: true }]);
    expect(merged.entries).toHaveLength(2);
  });

  test('values are ordered by canonical key, whatever the merge order', () => {
    const states = [write(MVRegister.bottom, A, 'b'), write(MVRegister.bottom, B, 1), write(MVRegister.bottom, C, null)];
    // Canonical keys '"b"' < '1' < 'null'.
    expect(MVRegister.values(mergeAll(...states))).toEqual(['b', 1, null]);
    expect(MVRegister.values(mergeAll(...states.reverse()))).toEqual(MVRegister.values(mergeAll(...states)));
  });

  test('values are copied, normalized and deeply frozen', () => {
    const mine = { b: [1], a: -0 };
    const state = write(MVRegister.bottom, A, mine);
    mine.b.push(2);
    const [value] = MVRegister.values(state) as [{ a: number; b: number[] }];
    expect(value).toEqual({ a: 0, b: [1] });
    expect(Object.isFrozen(value) && Object.isFrozen(value.b)).toBe(true);
    expect(Object.isFrozen(state) && Object.isFrozen(state.entries) && Object.isFrozen(state.entries[0])).toBe(true);
  });

  test.each([
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['a Set', new Set()],
    ['a nested function', { f: () => 1 }],
  ])('writing %s throws InvalidValueError', (_name, bad) => {
    expect(() => MVRegister.set(MVRegister.bottom, A, bad as unknown as JsonValue)).toThrow(InvalidValueError);
  });

  test('a dot reused with two values (two tabs sharing an id) still merges commutatively', () => {
    const context = { vector: [['replica1', 1]], cloud: [] };
    const x = MVRegister.fromJSON({ entries: [{ replica: 'replica1', counter: 1, value: 'x' }], context });
    const y = MVRegister.fromJSON({ entries: [{ replica: 'replica1', counter: 1, value: 'y' }], context });
    expect(MVRegister.values(MVRegister.merge(x, y))).toEqual(['y']);
    expect(MVRegister.values(MVRegister.merge(y, x))).toEqual(['y']);
  });

  test('regression: two live values from one replica, when a write arrived before the overwrite of its predecessor', () => {
    // A writes 'one'; B overwrites it; A (having seen that) writes 'three'. C receives
    // A's two deltas but not B's: 'one' must not come back next to 'three'.
    const one = MVRegister.set(MVRegister.bottom, A, 'one');
    const atB = MVRegister.merge(MVRegister.bottom, one);
    const two = MVRegister.set(atB, B, 'two');
    const atA = MVRegister.merge(MVRegister.merge(MVRegister.bottom, one), two);
    const three = MVRegister.set(atA, A, 'three');
    const atC = MVRegister.merge(MVRegister.merge(MVRegister.bottom, one), three);
    expect(MVRegister.values(atC)).toEqual(['three']);
    expect(atC.entries.map((e) => e.dot)).toEqual([{ replica: A, counter: 2 }]);
    // Such a state is unreachable now, so both decoders refuse it.
    const json = { entries: [1, 2].map((counter) => ({ replica: A, counter, value: counter })), context: { vector: [[A, 2]], cloud: [] } };
    expect(() => MVRegister.fromJSON(json)).toThrow('two values from one replica');
    const w = new Writer().byte(1).uint(1).string(A).uint(2).uint(0).uint(2);
    for (const counter of [1, 2]) w.string(A).uint(counter).string(String(counter));
    expect(() => MVRegister.decode(w.finish())).toThrow(DecodeError);
  });

  test('merge and set leave their inputs untouched', () => {
    const a = write(MVRegister.bottom, A, 1);
    const before = MVRegister.encode(a);
    MVRegister.merge(a, write(MVRegister.bottom, B, 2));
    MVRegister.set(a, A, 3);
    expect(MVRegister.encode(a)).toEqual(before);
  });
});

// Checked-in bytes: a format change that breaks stored data fails here.
const golden: Array<{ name: string; state: () => State; hex: string }> = [
  { name: 'unwritten', state: () => MVRegister.bottom, hex: '01000000' },
  { name: 'one value', state: () => write(MVRegister.bottom, asReplicaId('a'), 7), hex: '0101016101000101610101' + '37' },
  {
    name: 'Alice, Alicia, Allison',
    state: () => mergeAll(write(MVRegister.bottom, C, 'Allison'), write(MVRegister.bottom, A, 'Alice'), write(MVRegister.bottom, B, 'Alicia')),
    hex:
      '01' +
      '03' + '087265706c6963613101' + '087265706c6963613201' + '087265706c6963613301' + '00' +
      '03' +
      '087265706c696361310107' + '22416c69636522' +
      '087265706c696361320108' + '22416c6963696122' +
      '087265706c696361330109' + '22416c6c69736f6e22',
  },
];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('golden vectors', () => {
  test.each(golden)('$name', ({ state, hex: expected }) => {
    expect(hex(MVRegister.encode(state()))).toBe(expected);
    expect(MVRegister.equals(MVRegister.decode(unhex(expected)), state())).toBe(true);
  });
});

describe('decode rejects bad input with DecodeError', () => {
  /** Version 1, context {a: 2}, then the given entries. */
  const withEntries = (...entries: Array<[string, number, string]>) => {
    const w = new Writer().byte(1).uint(1).string('a').uint(2).uint(0).uint(entries.length);
    for (const [r, c, json] of entries) w.string(r).uint(c).string(json);
    return w.finish();
  };
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('02000000')],
    ['truncated', unhex('010000')],
    ['trailing bytes', unhex('0100000000')],
    ['entry dot not in the context', withEntries(['a', 3, '1'])],
    ['entry from an unknown replica', withEntries(['b', 1, '1'])],
    ['entries out of order', withEntries(['a', 2, '1'], ['a', 1, '1'])],
    ['repeated entry', withEntries(['a', 1, '1'], ['a', 1, '2'])],
    ['two values from one replica', withEntries(['a', 1, '"x"'], ['a', 2, '"y"'])],
    ['zero counter', withEntries(['a', 0, '1'])],
    ['value not canonical JSON', withEntries(['a', 1, '{"b":1,"a":2}'])],
    ['value not JSON', withEntries(['a', 1, 'undefined'])],
    ['invalid replica id', withEntries(['__proto__', 1, '1'])],
    ['entry count past the bytes left', unhex('0100' + '00' + '7f')],
    ['non-canonical context (cloud not compacted)', unhex('01' + '00' + '01' + '016101' + '00' + '00')],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => MVRegister.decode(bytes)).toThrow(DecodeError);
  });

  test('a well-formed body decodes', () => {
    expect(MVRegister.values(MVRegister.decode(withEntries(['a', 2, '"y"'])))).toEqual(['y']);
  });
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const context = { vector: [['a', 2]], cloud: [] };
  const entry = (over: object = {}) => ({ replica: 'a', counter: 1, value: 1, ...over });
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['missing entries', { context }],
    ['missing context', { entries: [] }],
    ['entries not an array', { entries: {}, context }],
    ['entry not an object', { entries: [['a', 1, 1]], context }],
    ['entry without value', { entries: [{ replica: 'a', counter: 1 }], context }],
    ['entry dot not in the context', { entries: [entry({ counter: 3 })], context }],
    ['zero counter', { entries: [entry({ counter: 0 })], context }],
    ['fractional counter', { entries: [entry({ counter: 1.5 })], context }],
    ['entries out of order', { entries: [entry({ counter: 2 }), entry()], context }],
    ['repeated entries', { entries: [entry(), entry({ value: 2 })], context }],
    ['two values from one replica', { entries: [entry(), entry({ counter: 2 })], context }],
    ['__proto__ replica', { entries: [JSON.parse('{"replica": "__proto__", "counter": 1, "value": 1}')], context }],
    ['value too deep', { entries: [entry({ value: JSON.parse('['.repeat(70) + ']'.repeat(70)) })], context }],
    ['bad context', { entries: [], context: { vector: [['a', 0]], cloud: [] } }],
  ];
  test.each(cases)('%s', (_name, json) => {
    expect(() => MVRegister.fromJSON(json)).toThrow(DecodeError);
  });

  test('errors carry the JSON path', () => {
    expect(() => MVRegister.fromJSON({ entries: [entry(), entry({ counter: 5 })], context })).toThrow('$.entries[1]');
  });
});
