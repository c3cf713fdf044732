import type { JsonValue } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { test } from 'vitest';
import * as TwoPhaseSet from '../src/index.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

type Op = { kind: 'add' | 'remove'; value: JsonValue };

// A small universe of values, so that removes hit present elements and re-adds hit removed ones.
const value = fc.constantFrom<JsonValue>('apple', 'banana', 3, null, { b: 2, a: 1 }, ['x']);

export const spec: CrdtSpec<TwoPhaseSet.TwoPhaseSet, Op> = {
  name: '2P-Set',
  lattice: TwoPhaseSet,
  operation: fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), value }),
  mutate: (state, op, replica) => TwoPhaseSet[op.kind](state, replica, op.value),
  ...TwoPhaseSet,
};

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
