import type { JsonValue } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { test } from 'vitest';
import * as ORSet from '../src/index.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

type Op = { kind: 'add' | 'remove'; value: JsonValue } | { kind: 'clear' };

// A small universe of values, so that removes and re-adds hit present elements.
const value = fc.constantFrom<JsonValue>('apple', 'banana', 3, null, { b: 2, a: 1 }, ['x']);

export const spec: CrdtSpec<ORSet.ORSet, Op> = {
  name: 'OR-Set',
  lattice: ORSet,
  operation: fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), value }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), value }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  ),
  mutate: (state, op, replica) =>
    op.kind === 'clear' ? ORSet.clear(state, replica) : ORSet[op.kind](state, replica, op.value),
  ...ORSet,
};

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
