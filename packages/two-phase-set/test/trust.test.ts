import { asReplicaId, DEFAULT_LIMITS, DecodeError } from '@convergent/core';
import { expect, test } from 'vitest';
import * as TwoPhaseSet from '../src/index.js';

test('a 2P-Set has no authors to check', () => {
  const a = asReplicaId('a');
  const state = TwoPhaseSet.merge(TwoPhaseSet.bottom, TwoPhaseSet.add(TwoPhaseSet.bottom, a, 'x'));
  expect(TwoPhaseSet.authors(TwoPhaseSet.remove(state, a, 'x')).size).toBe(0);
  expect(TwoPhaseSet.authors(state).size).toBe(0);
});

test('decode refuses more elements than limits.maxCount', () => {
  const bytes = TwoPhaseSet.encode(TwoPhaseSet.fromJSON({ added: { elements: ['x', 'y'] }, removed: { elements: [] } }));
  expect(() => TwoPhaseSet.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
  expect(TwoPhaseSet.size(TwoPhaseSet.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 2 }))).toBe(2);
});
