import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { publicPackages } from '../support/doctest-gen.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

// typedoc checks that every export is documented; this checks each one also shows an @example.
describe('every public export has an @example', () => {
  const entries = (publicPackages() as string[]).map((pkg) => join(pkg, 'src/index.ts'));
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ['@convergent/source'],
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  for (const entry of entries) {
    const name = entry.slice(root.length + 1);
    test(name, () => {
      const file = program.getSourceFile(entry);
      expect(file).toBeDefined();
      const symbol = checker.getSymbolAtLocation(file!);
      expect(symbol).toBeDefined();
      const exports = checker.getExportsOfModule(symbol!);
      expect(exports.length).toBeGreaterThan(0);
      const missing = exports
        .filter((exported) => {
          const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
          return !target.getJsDocTags(checker).some((tag) => tag.name === 'example');
        })
        .map((exported) => exported.name);
      expect(missing).toEqual([]);
    });
  }
});
