import { asReplicaId, DEFAULT_LIMITS, DecodeError } from '@convergent/core';
import { expect, test } from 'vitest';
import * as GSet from '../src/index.js';

test('a G-Set has no authors to check', () => {
  const state = GSet.merge(GSet.add(GSet.bottom, asReplicaId('a'), 'x'), GSet.add(GSet.bottom, asReplicaId('b'), 'y'));
  expect(GSet.authors(state).size).toBe(0);
});

test('decode refuses more elements than limits.maxCount', () => {
  const bytes = GSet.encode(GSet.fromJSON({ elements: ['x', 'y'] }));
  expect(() => GSet.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
  expect(GSet.size(GSet.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 2 }))).toBe(2);
});
