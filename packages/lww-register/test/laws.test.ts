import { laws, scenarios } from '@convergent/laws';
import { describe, test } from 'vitest';
import { fwwSpec, spec } from './spec.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

describe('last-writer-wins', () => {
  for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
});

describe('first-writer-wins', () => {
  for (const law of [...laws(fwwSpec, lawScale), ...scenarios(fwwSpec, scenarioScale)]) test(law.name, () => law.run());
});
