import { asReplicaId, DecodeError, Writer } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as GCounter from '../src/index.js';

const [A, B, C] = ['A', 'B', 'C'].map(asReplicaId) as [ReturnType<typeof asReplicaId>, ReturnType<typeof asReplicaId>, ReturnType<typeof asReplicaId>];
const apply = (state: GCounter.GCounter, delta: GCounter.GCounter) => GCounter.merge(state, delta);
const counted = (replica: typeof A, n: number) => apply(GCounter.bottom, GCounter.increment(GCounter.bottom, replica, n));

describe('seed examples', () => {
  test('three nodes: {A: 10, B: 8, C: 7} = 25 after B increments by 5', () => {
    // Node A has counted 10, B 3 and C 7; B then counts 5 more.
    const a = counted(A, 10);
    let b = counted(B, 3);
    const c = counted(C, 7);
    b = apply(b, GCounter.increment(b, B, 5));
    const merged = GCounter.merge(GCounter.merge(a, b), c);
    expect(GCounter.toJSON(merged)).toEqual({ counts: [['A', 10], ['B', 8], ['C', 7]] });
    expect(GCounter.value(merged)).toBe(25);
    // Any merge order gives the same answer.
    expect(GCounter.equals(merged, GCounter.merge(c, GCounter.merge(b, a)))).toBe(true);
  });

  test('two replicas each increment once and merge to 2, where naive merging loses one', () => {
    const a = counted(A, 1);
    const b = counted(B, 1);
    expect(GCounter.value(GCounter.merge(a, b))).toBe(2);
    // A single shared integer with last-writer-wins would keep 1: both wrote 0 + 1.
    const naive = Math.max(0 + 1, 0 + 1);
    expect(naive).toBe(1);
  });
});

describe('increment', () => {
  test('returns a delta holding only the acting replica', () => {
    const state = GCounter.merge(counted(A, 2), counted(B, 3));
    const delta = GCounter.increment(state, A, 4);
    expect(GCounter.toJSON(delta)).toEqual({ counts: [['A', 6]] });
  });

  test('a zero increment is the bottom delta', () => {
    expect(GCounter.equals(GCounter.increment(counted(A, 2), A, 0), GCounter.bottom)).toBe(true);
  });

  test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects amount %s', (amount) => {
    expect(() => GCounter.increment(GCounter.bottom, A, amount)).toThrow(RangeError);
  });

  test('overflow past MAX_SAFE_INTEGER throws RangeError instead of a wrong sum', () => {
    const nearlyFull = counted(A, Number.MAX_SAFE_INTEGER - 1);
    expect(GCounter.value(apply(nearlyFull, GCounter.increment(nearlyFull, B, 1)))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => GCounter.increment(nearlyFull, B, 2)).toThrow(RangeError);
  });

  test('value throws RangeError when merged replicas together pass MAX_SAFE_INTEGER', () => {
    const merged = GCounter.merge(counted(A, 2 ** 52), counted(B, 2 ** 52));
    expect(() => GCounter.value(merged)).toThrow(RangeError);
  });
});

// Checked-in bytes: a format change that breaks stored data fails here.
const golden: Array<{ name: string; state: () => GCounter.GCounter; hex: string }> = [
  { name: 'bottom', state: () => GCounter.bottom, hex: '0100' },
  { name: 'A:3', state: () => counted(A, 3), hex: '0101014103' },
  {
    name: 'A:10 B:300 C:7',
    state: () => GCounter.merge(GCounter.merge(counted(C, 7), counted(A, 10)), counted(B, 300)),
    hex: '010301410a0142ac02014307',
  },
];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('golden vectors', () => {
  test.each(golden)('$name', ({ state, hex: expected }) => {
    expect(hex(GCounter.encode(state()))).toBe(expected);
    expect(GCounter.equals(GCounter.decode(unhex(expected)), state())).toBe(true);
  });
});

describe('decode rejects bad input with DecodeError', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('0200')],
    ['truncated entry', unhex('01010141')],
    ['count past the bytes left', unhex('01ff01')],
    ['zero count', unhex('0101014100')],
    ['ids out of order', unhex('01020142010141' + '01')],
    ['repeated id', unhex('01020141010141' + '02')],
    ['trailing bytes', unhex('010000')],
    ['non-canonical varint', unhex('0101014183' + '00')],
    ['count past MAX_SAFE_INTEGER', new Writer().byte(1).uint(1).string('A').raw(unhex('ffffffffffffff7f')).finish()],
    ['invalid UTF-8 id', unhex('01010180' + '01')],
    ['control character in id', unhex('0101010001')],
    ['__proto__ as id', new Writer().byte(1).uint(1).string('__proto__').uint(1).finish()],
    ['empty id', unhex('01010001')],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => GCounter.decode(bytes)).toThrow(DecodeError);
  });

  test('not a Uint8Array', () => {
    expect(() => GCounter.decode('0100' as unknown as Uint8Array)).toThrow(DecodeError);
  });
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['array', []],
    ['missing counts', {}],
    ['inherited counts', Object.create({ counts: [] })],
    ['negative count', { counts: [['A', -1]] }],
    ['fractional count', { counts: [['A', 1.5]] }],
    ['count past MAX_SAFE_INTEGER', { counts: [['A', 2 ** 53]] }],
    ['zero count', { counts: [['A', 0]] }],
    ['__proto__ id', JSON.parse('{"counts": [["__proto__", 1]]}')],
    ['constructor id', { counts: [['constructor', 1]] }],
    ['ids out of order', { counts: [['B', 1], ['A', 1]] }],
    ['repeated ids', { counts: [['A', 1], ['A', 2]] }],
    ['entry not a pair', { counts: [['A', 1, 2]] }],
    ['id not a string', { counts: [[1, 1]] }],
  ];
  test.each(cases)('%s', (_name, json) => {
    expect(() => GCounter.fromJSON(json)).toThrow(DecodeError);
  });
});

test('merge and increment leave their inputs untouched', () => {
  const a = counted(A, 2);
  const before = GCounter.encode(a);
  GCounter.merge(a, counted(B, 5));
  GCounter.increment(a, A, 3);
  expect(GCounter.encode(a)).toEqual(before);
  expect(Object.isFrozen(a)).toBe(true);
});
