import { laws } from '@convergent/laws';
import { test } from 'vitest';
import { spec } from './spec.js';

for (const law of laws(spec)) test(law.name, () => law.run());
