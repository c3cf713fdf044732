import { asReplicaId, DEFAULT_LIMITS, DecodeError, MergeRejectedError } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as PNCounter from '../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const me = asReplicaId('me');
type Entries = Array<[string, number]>;
// What an attacker sends: raw JSON under invented replica ids, accepted by the decoder.
const forged = (increments: Entries, decrements: Entries = []) => PNCounter.fromJSON({ increments, decrements });

/** The receiver's check refuses `delta` with the typed error, and `state` is as it was. */
function refused(state: PNCounter.PNCounter, delta: PNCounter.PNCounter): void {
  const before = PNCounter.encode(state);
  expect(() => PNCounter.validateMerge(state, delta)).toThrow(MergeRejectedError);
  expect(PNCounter.encode(state)).toEqual(before);
}

describe('the attacks of issue 11, as an attacker writes them', () => {
  const state = PNCounter.merge(PNCounter.bottom, PNCounter.increment(PNCounter.bottom, me, 10));

  test('an entry of MAX_SAFE_INTEGER - 10 would stop every increment: refused', () => {
    const hostile = forged([['evil', MAX - 10]]);
    expect(() => PNCounter.increment(PNCounter.merge(state, hostile), me)).toThrow(RangeError);
    refused(state, hostile);
  });

  test('two such entries would make value() throw everywhere: the second is refused, and so is the pair', () => {
    const one = forged([['evil1', MAX - 10]]);
    const two = forged([['evil2', MAX - 10]]);
    expect(() => PNCounter.value(PNCounter.merge(PNCounter.merge(PNCounter.bottom, one), two))).toThrow(RangeError);
    PNCounter.validateMerge(PNCounter.bottom, one);
    refused(PNCounter.merge(PNCounter.bottom, one), two);
    refused(PNCounter.bottom, PNCounter.merge(one, two));
  });

  test('the decrements are checked on their own', () => {
    refused(state, forged([], [['evil1', 2 ** 52], ['evil2', 2 ** 52]]));
    // Large increments and large decrements that each stay in range are fine: the value is their difference.
    PNCounter.validateMerge(state, forged([['a', 2 ** 52]], [['b', 2 ** 52]]));
  });

  test('a 938 KB state with 60,000 invented replica ids is refused by the decoder under a room limit', () => {
    const ids: Entries = Array.from({ length: 60_000 }, (_, i) => [`forged-replica-${String(i).padStart(5, '0')}`, 1]);
    const bytes = PNCounter.encode(forged(ids));
    expect(bytes.length).toBeGreaterThan(900_000);
    expect(() => PNCounter.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1024 })).toThrow(DecodeError);
  });

  test('the limit counts the replicas of both halves together', () => {
    const bytes = PNCounter.encode(forged([['a', 1]], [['b', 1]]));
    expect(() => PNCounter.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
    expect(PNCounter.value(PNCounter.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 2 }))).toBe(0);
    // One replica on both sides is one replica.
    const same = PNCounter.encode(forged([['a', 2]], [['a', 1]]));
    expect(PNCounter.value(PNCounter.decode(same, { ...DEFAULT_LIMITS, maxCount: 1 }))).toBe(1);
  });
});

test('authors are the ids of both halves', () => {
  expect([...PNCounter.authors(PNCounter.decrement(PNCounter.bottom, me))]).toEqual(['me']);
  expect([...PNCounter.authors(forged([['a', 1]], [['a', 2], ['b', 1]]))].sort()).toEqual(['a', 'b']);
});
