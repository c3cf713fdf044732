import { asReplicaId, DEFAULT_LIMITS, DecodeError, MergeRejectedError } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as GCounter from '../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const me = asReplicaId('me');
// What an attacker sends: raw JSON under invented replica ids, accepted by the decoder.
const forged = (...counts: Array<[string, number]>) => GCounter.fromJSON({ counts });

/** The receiver's check refuses `delta` with the typed error, and `state` is as it was. */
function refused(state: GCounter.GCounter, delta: GCounter.GCounter): void {
  const before = GCounter.encode(state);
  expect(() => GCounter.validateMerge(state, delta)).toThrow(MergeRejectedError);
  expect(GCounter.encode(state)).toEqual(before);
}

describe('validateMerge refuses overflow before the merge', () => {
  test('an entry that takes the sum to the end of the range', () => {
    const state = GCounter.merge(GCounter.bottom, GCounter.increment(GCounter.bottom, me, 10));
    const hostile = forged(['evil', MAX - 10]);
    // Merged anyway, the counter could never count again.
    expect(() => GCounter.increment(GCounter.merge(state, hostile), me)).toThrow(RangeError);
    refused(state, hostile);
  });

  test('two entries of half the range, sent one at a time', () => {
    for (const half of [Math.ceil(MAX / 2), Math.floor(MAX / 2)]) {
      const first = forged(['evil1', half]);
      GCounter.validateMerge(GCounter.bottom, first);
      const state = GCounter.merge(GCounter.bottom, first);
      refused(state, forged(['evil2', half]));
      refused(GCounter.bottom, forged(['evil1', half], ['evil2', half]));
    }
  });

  test('a raised entry counts only by what it adds', () => {
    const state = forged(['evil', 2 ** 52]);
    refused(state, forged(['evil', MAX - 1]));
    // Lower than what the receiver holds: the merge changes nothing.
    GCounter.validateMerge(state, forged(['evil', 5]));
    GCounter.validateMerge(state, forged(['evil', 2 ** 52], ['other', 2 ** 51]));
  });
});

test('authors are the ids of the entries', () => {
  expect([...GCounter.authors(GCounter.increment(GCounter.bottom, me, 3))]).toEqual(['me']);
  expect([...GCounter.authors(forged(['a', 1], ['b', 2]))].sort()).toEqual(['a', 'b']);
});

test('decode refuses more replicas than limits.maxCount', () => {
  const bytes = GCounter.encode(forged(['a', 1], ['b', 1], ['c', 1]));
  expect(() => GCounter.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 2 })).toThrow(DecodeError);
  expect(GCounter.value(GCounter.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 3 }))).toBe(3);
});
