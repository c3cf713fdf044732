import { asReplicaId, DEFAULT_LIMITS, DecodeError, MergeRejectedError, type ReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as MVRegister from '../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const [A, B] = ['A', 'B'].map(asReplicaId) as [ReplicaId, ReplicaId];
const written = (state: MVRegister.MVRegister, replica: ReplicaId, value: string) =>
  MVRegister.merge(state, MVRegister.set(state, replica, value));

/** The receiver's check refuses `delta` with the typed error, and `state` is as it was. */
function refused(state: MVRegister.MVRegister, delta: MVRegister.MVRegister): void {
  const before = MVRegister.encode(state);
  expect(() => MVRegister.validateMerge(state, delta)).toThrow(MergeRejectedError);
  expect(MVRegister.encode(state)).toEqual(before);
}

describe('validateMerge refuses dots at the end of the range', () => {
  const state = written(MVRegister.bottom, A, 'red');

  test('a context naming the victim\'s dot MAX_SAFE_INTEGER: the victim could never write again', () => {
    const hostile = MVRegister.fromJSON({ entries: [], context: { vector: [['A', MAX]], cloud: [] } });
    expect(() => MVRegister.set(MVRegister.merge(state, hostile), A, 'blue')).toThrow(RangeError);
    refused(state, hostile);
  });

  test('a value under a dot one short of the end', () => {
    refused(
      state,
      MVRegister.fromJSON({
        entries: [{ replica: 'evil', counter: MAX - 1, value: 'x' }],
        context: { vector: [], cloud: [['evil', [MAX - 1]]] },
      }),
    );
  });

  test('honest writes pass', () => {
    MVRegister.validateMerge(state, MVRegister.set(state, B, 'blue'));
    MVRegister.validateMerge(state, written(MVRegister.bottom, B, 'green'));
  });
});

test('authors are the writers of the current values, not of the context', () => {
  const state = written(written(MVRegister.bottom, A, 'red'), B, 'blue');
  expect([...MVRegister.authors(MVRegister.set(state, A, 'green'))]).toEqual(['A']);
  const concurrent = MVRegister.merge(written(MVRegister.bottom, A, 'red'), written(MVRegister.bottom, B, 'blue'));
  expect([...MVRegister.authors(concurrent)].sort()).toEqual(['A', 'B']);
});

test('decode bounds the replicas of the context', () => {
  const bytes = MVRegister.encode(MVRegister.fromJSON({ entries: [], context: { vector: [['a', 1]], cloud: [['b', [3]]] } }));
  expect(() => MVRegister.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
  expect(MVRegister.values(MVRegister.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 2 }))).toEqual([]);
});
