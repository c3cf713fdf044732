import { describe, expect, test } from 'vitest';

declare global {
  interface ImportMeta {
    glob<T>(pattern: string): Record<string, () => Promise<T>>;
  }
}

// Every @example of every public package, extracted by test/support/doctest-gen.mjs.
const examples = import.meta.glob<{ run: () => Promise<void> }>('./generated/*.ts');

describe('TSDoc examples run', () => {
  test('examples were extracted', () => {
    expect(Object.keys(examples).length).toBeGreaterThan(0);
  });
  for (const [path, load] of Object.entries(examples)) {
    test(path.replace('./generated/', ''), async () => {
      const module = await load();
      await module.run();
    });
  }
});
