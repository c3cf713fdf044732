import { laws } from '@convergent/laws';
import { describe, test } from 'vitest';
import { fwwSpec, spec } from './spec.js';

describe('last-writer-wins', () => {
  for (const law of laws(spec)) test(law.name, () => law.run());
});

describe('first-writer-wins', () => {
  for (const law of laws(fwwSpec)) test(law.name, () => law.run());
});
