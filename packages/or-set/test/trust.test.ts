import { asReplicaId, DEFAULT_LIMITS, DecodeError, MergeRejectedError, type ReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as ORSet from '../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const [A, B] = ['A', 'B'].map(asReplicaId) as [ReplicaId, ReplicaId];
const added = (state: ORSet.ORSet, replica: ReplicaId, value: string) => ORSet.merge(state, ORSet.add(state, replica, value));

/** The receiver's check refuses `delta` with the typed error, and `state` is as it was. */
function refused(state: ORSet.ORSet, delta: ORSet.ORSet): void {
  const before = ORSet.encode(state);
  expect(() => ORSet.validateMerge(state, delta)).toThrow(MergeRejectedError);
  expect(ORSet.encode(state)).toEqual(before);
}

describe('validateMerge refuses dots at the end of the range', () => {
  const state = added(ORSet.bottom, A, 'apple');

  test('a "remove" whose context names the victim\'s dot MAX_SAFE_INTEGER: the victim could never add again', () => {
    const hostile = ORSet.fromJSON({ context: { vector: [], cloud: [['A', [MAX]]] }, entries: [] });
    expect(() => ORSet.add(ORSet.merge(state, hostile), A, 'pear')).toThrow(RangeError);
    refused(state, hostile);
  });

  test('an element under a dot one short of the end', () => {
    refused(state, ORSet.fromJSON({ context: { vector: [['evil', MAX - 1]], cloud: [] }, entries: [['x', [['evil', MAX - 1]]]] }));
  });

  test('honest deltas and states pass', () => {
    const other = added(ORSet.bottom, B, 'pear');
    ORSet.validateMerge(state, other);
    ORSet.validateMerge(state, ORSet.remove(state, B, 'apple'));
    ORSet.validateMerge(state, ORSet.clear(state, B));
  });
});

test('authors are the replicas of the live dots, not of the context', () => {
  const state = added(added(ORSet.bottom, A, 'apple'), B, 'pear');
  expect([...ORSet.authors(ORSet.add(state, B, 'fig'))]).toEqual(['B']);
  expect(ORSet.authors(ORSet.remove(state, B, 'apple')).size).toBe(0);
  expect(ORSet.authors(ORSet.clear(state, A)).size).toBe(0);
  expect([...ORSet.authors(state)].sort()).toEqual(['A', 'B']);
});

test('decode bounds the replicas of the vector and the cloud together', () => {
  const bytes = ORSet.encode(ORSet.fromJSON({ context: { vector: [['a', 1]], cloud: [['b', [3]]] }, entries: [] }));
  expect(() => ORSet.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
  expect(ORSet.size(ORSet.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 2 }))).toBe(0);
});
