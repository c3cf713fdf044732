import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { test } from 'vitest';
import * as PNCounter from '../src/index.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

const spec: CrdtSpec<PNCounter.PNCounter, { up: boolean; amount: number }> = {
  name: 'PN-Counter',
  lattice: PNCounter,
  operation: fc.record({ up: fc.boolean(), amount: fc.nat(1000) }),
  mutate: (state, { up, amount }, replica) =>
    up ? PNCounter.increment(state, replica, amount) : PNCounter.decrement(state, replica, amount),
  ...PNCounter,
};

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
