import type { JsonValue } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { test } from 'vitest';
import * as GSet from '../src/index.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

// Random JSON values, plus a few fixed ones so that replicas add the same element.
const value: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constantFrom<JsonValue>('apple', 'banana', 3, null, { b: 2, a: 1 }, ['x']),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>,
);

export const spec: CrdtSpec<GSet.GSet, JsonValue> = {
  name: 'G-Set',
  lattice: GSet,
  operation: value,
  mutate: (state, op, replica) => GSet.add(state, replica, op),
  ...GSet,
};

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
