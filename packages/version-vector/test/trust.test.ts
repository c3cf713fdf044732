import { asReplicaId, DEFAULT_LIMITS, DecodeError, MergeRejectedError, Reader, Writer } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as VersionVector from '../src/index.js';
import { DotContext, validateContext } from '../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const a = asReplicaId('a');

describe('validateMerge refuses counts at the end of the range', () => {
  test('a count of MAX_SAFE_INTEGER: merged anyway, the replica could never increment again', () => {
    const state = VersionVector.increment(VersionVector.bottom, a);
    const hostile = VersionVector.fromJSON({ counts: [['a', MAX]] });
    expect(() => VersionVector.increment(VersionVector.merge(state, hostile), a)).toThrow(RangeError);
    expect(() => VersionVector.validateMerge(state, hostile)).toThrow(MergeRejectedError);
    expect(() => VersionVector.validateMerge(state, VersionVector.fromJSON({ counts: [['b', MAX - 1]] }))).toThrow(MergeRejectedError);
    VersionVector.validateMerge(state, VersionVector.fromJSON({ counts: [['b', MAX - 2]] }));
  });

  test('validateContext reads the vector and the cloud', () => {
    expect(() => validateContext(DotContext.fromJSON({ vector: [['a', MAX - 1]], cloud: [] }))).toThrow(MergeRejectedError);
    expect(() => validateContext(DotContext.fromJSON({ vector: [['a', 1]], cloud: [['a', [5, MAX]]] }))).toThrow(MergeRejectedError);
    validateContext(DotContext.fromJSON({ vector: [['a', 1]], cloud: [['b', [5, 9]]] }));
  });
});

test('DotContext.read bounds the replicas of the vector and the cloud together', () => {
  const w = new Writer();
  DotContext.write(w, DotContext.fromJSON({ vector: [['a', 1]], cloud: [['b', [3]]] }));
  const bytes = w.finish();
  expect(() => DotContext.read(new Reader(bytes, { ...DEFAULT_LIMITS, maxCount: 1 }))).toThrow(DecodeError);
  expect(DotContext.read(new Reader(bytes, { ...DEFAULT_LIMITS, maxCount: 2 })).cloud.size).toBe(1);
});

test('decode refuses more replicas than limits.maxCount', () => {
  const bytes = VersionVector.encode(VersionVector.fromJSON({ counts: [['a', 1], ['b', 2]] }));
  expect(() => VersionVector.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
});
