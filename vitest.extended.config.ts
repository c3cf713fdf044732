import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `pnpm test:extended`: the same law tests as `pnpm test`, scaled up through the
// variables test/support/scale.ts reads (set them to run another scale). Not part of
// CI or `pnpm check`: at full scale about 50 minutes of test time on two busy cores
// (figures in docs/reliability.md).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['packages/*/test/laws.test.ts'],
    globalSetup: [],
    reporters: ['default', './test/support/reliability-reporter.ts', './test/support/summary-reporter.ts'],
    testTimeout: 24 * 60 * 60 * 1000,
    env: {
      CONVERGENT_LAW_RUNS: process.env.CONVERGENT_LAW_RUNS || '100000',
      CONVERGENT_SCENARIO_SEEDS: process.env.CONVERGENT_SCENARIO_SEEDS || '1000',
    },
  },
});
