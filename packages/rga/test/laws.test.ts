import type { JsonValue } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { test } from 'vitest';
import * as RGA from '../src/index.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

/** An edit, applied relative to the state's length so that every edit applies. */
export type Op =
  | { kind: 'text'; at: number; text: string }
  | { kind: 'values'; at: number; values: JsonValue[] }
  | { kind: 'delete'; at: number; count: number };

export const operation: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('text' as const), at: fc.nat(), text: fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '😀'), minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('values' as const), at: fc.nat(), values: fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(null), fc.constantFrom('x', 'yy'), fc.record({ k: fc.boolean() })), { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 3 }) }) },
);

export const spec: CrdtSpec<RGA.RGA, Op> = {
  name: 'RGA',
  lattice: RGA,
  operation,
  mutate: (state, op, replica) => {
    const n = RGA.length(state);
    if (op.kind === 'text') return RGA.insertText(state, replica, op.at % (n + 1), op.text);
    if (op.kind === 'values') return RGA.insertAt(state, replica, op.at % (n + 1), op.values);
    if (n === 0) return RGA.bottom;
    const at = op.at % n;
    return RGA.deleteAt(state, replica, at, Math.min(op.count, n - at));
  },
  ...RGA,
};

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
