import { asReplicaId, DecodeError, type ReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as PNCounter from '../src/index.js';

const [A, B, C] = ['A', 'B', 'C'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
type Mutator = (s: PNCounter.PNCounter, r: ReplicaId, n?: number) => PNCounter.PNCounter;
const act = (state: PNCounter.PNCounter, m: Mutator, r: ReplicaId, n = 1) => PNCounter.merge(state, m(state, r, n));

describe('semantics', () => {
  test('likes and dislikes from three replicas add up in any merge order', () => {
    const a = act(act(PNCounter.bottom, PNCounter.increment, A, 3), PNCounter.decrement, A, 1);
    const b = act(PNCounter.bottom, PNCounter.increment, B, 2);
    const c = act(PNCounter.bottom, PNCounter.decrement, C, 4);
    const orders = [
      [a, b, c],
      [c, b, a],
      [b, a, c],
    ].map((xs) => xs.reduce(PNCounter.merge, PNCounter.bottom));
    for (const merged of orders) expect(PNCounter.value(merged)).toBe(0);
    expect(PNCounter.equals(orders[0]!, orders[1]!)).toBe(true);
  });

  test('concurrent decrements are both kept (a single shared integer would lose one)', () => {
    const start = act(PNCounter.bottom, PNCounter.increment, A, 10);
    const a = act(start, PNCounter.decrement, A);
    const b = act(start, PNCounter.decrement, B);
    expect(PNCounter.value(PNCounter.merge(a, b))).toBe(8);
  });

  test('the value may go negative', () => {
    expect(PNCounter.value(act(PNCounter.bottom, PNCounter.decrement, A, 5))).toBe(-5);
  });

  test('deltas hold only the acting replica and side', () => {
    const state = act(act(PNCounter.bottom, PNCounter.increment, A, 2), PNCounter.decrement, B, 1);
    expect(PNCounter.toJSON(PNCounter.decrement(state, A, 4))).toEqual({ increments: [], decrements: [['A', 4]] });
  });

  test('overflow throws RangeError, never a wrong value', () => {
    const full = act(PNCounter.bottom, PNCounter.increment, A, Number.MAX_SAFE_INTEGER);
    expect(() => PNCounter.increment(full, B, 1)).toThrow(RangeError);
    expect(() => PNCounter.decrement(PNCounter.bottom, A, -1)).toThrow(RangeError);
    expect(() => PNCounter.increment(PNCounter.bottom, A, 0.5)).toThrow(RangeError);
    const twoHalves = PNCounter.merge(
      act(PNCounter.bottom, PNCounter.decrement, A, 2 ** 52),
      act(PNCounter.bottom, PNCounter.decrement, B, 2 ** 52),
    );
    expect(() => PNCounter.value(twoHalves)).toThrow(RangeError);
  });
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('golden vectors', () => {
  const golden: Array<[string, () => PNCounter.PNCounter, string]> = [
    ['bottom', () => PNCounter.bottom, '010000'],
    ['A+3 B-2', () => PNCounter.merge(act(PNCounter.bottom, PNCounter.increment, A, 3), act(PNCounter.bottom, PNCounter.decrement, B, 2)), '01010141030101420' + '2'],
  ];
  test.each(golden)('%s', (_name, state, expected) => {
    expect(hex(PNCounter.encode(state()))).toBe(expected);
    expect(PNCounter.equals(PNCounter.decode(unhex(expected)), state())).toBe(true);
  });
});

describe('decoders reject bad input with DecodeError', () => {
  test.each([
    ['empty', ''],
    ['unknown version', '020000'],
    ['missing decrements', '0100'],
    ['zero count', '010101410000'],
    ['trailing bytes', '01000000'],
  ])('binary: %s', (_name, bytes) => {
    expect(() => PNCounter.decode(unhex(bytes))).toThrow(DecodeError);
  });

  test.each<[string, unknown]>([
    ['not an object', 5],
    ['missing decrements', { increments: [] }],
    ['negative', { increments: [['A', -1]], decrements: [] }],
    ['__proto__ id', JSON.parse('{"increments": [["__proto__", 1]], "decrements": []}')],
  ])('JSON: %s', (_name, json) => {
    expect(() => PNCounter.fromJSON(json)).toThrow(DecodeError);
  });
});
