import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));

const conditions = ['@convergent/source', 'module', 'import', 'node', 'default'];

export default defineConfig({
  resolve: {
    conditions,
    // Cross-package tests under test/ import every package from source by name.
    alias: [{ find: /^@convergent\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/index.ts` }],
  },
  ssr: { resolve: { conditions, externalConditions: ['@convergent/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/support/doctest-setup.ts'],
  },
});
