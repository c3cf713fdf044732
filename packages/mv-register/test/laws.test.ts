import { laws, scenarios } from '@convergent/laws';
import { test } from 'vitest';
import { spec } from './spec.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
