import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { test } from 'vitest';
import * as GCounter from '../src/index.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

export const spec: CrdtSpec<GCounter.GCounter, number> = {
  name: 'G-Counter',
  lattice: GCounter,
  operation: fc.nat(1000),
  mutate: (state, amount, replica) => GCounter.increment(state, replica, amount),
  ...GCounter,
};

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
