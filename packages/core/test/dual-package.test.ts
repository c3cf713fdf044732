// The dual-package hazard: an app that loads @convergent/core with both `import` and
// `require`, or that ends up with two copies of it, must still recognise every
// ConvergentError with `instanceof`. This builds core with its real build
// configuration (ESM + CommonJS), copies the output to a second folder as a second
// copy, and checks instanceof in a plain Node process across all four builds.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, expect, test } from 'vitest';
import config from '../tsup.config.js';

const root = mkdtempSync(join(tmpdir(), 'convergent-core-dual-'));
const copies = [join(root, 'a'), join(root, 'b')] as const;

beforeAll(async () => {
  const options = Array.isArray(config) || typeof config === 'function' ? {} : config;
  await build({
    ...options,
    entry: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    outDir: copies[0],
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
  });
  // Node reads .js as ESM only below a package.json with "type": "module".
  writeFileSync(join(copies[0], 'package.json'), '{ "type": "module" }');
  cpSync(copies[0], copies[1], { recursive: true });
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

// Runs in a child Node process, outside Vitest's module loader: for every pair of
// builds (thrower, checker) and every error class, is a thrown error an instance?
const script = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const require = createRequire(import.meta.url);
const builds = {};
for (const [i, dir] of JSON.parse(process.env.COPIES).entries()) {
  builds['esm' + i] = await import(pathToFileURL(dir + '/index.js').href);
  builds['cjs' + i] = require(dir + '/index.cjs');
}
const errorNames = (core) =>
  Object.keys(core).filter((name) => core[name] === core.ConvergentError || core[name]?.prototype instanceof core.ConvergentError);
const result = { errorNames: errorNames(builds.esm0), distinctClasses: new Set(Object.values(builds).map((b) => b.DecodeError)).size, checks: [] };
for (const [from, thrower] of Object.entries(builds)) {
  let decodeError;
  try { new thrower.Reader(new Uint8Array([0x80])).uint(); } catch (error) { decodeError = error; }
  for (const [by, checker] of Object.entries(builds)) {
    for (const name of errorNames(checker)) {
      result.checks.push({
        from, by, name,
        own: new thrower[name]('x') instanceof checker[name],
        base: new thrower[name]('x') instanceof checker.ConvergentError,
        asDecodeError: new thrower[name]('x') instanceof checker.DecodeError,
        thrownDecodeError: decodeError instanceof checker[name],
        plainError: new Error('x') instanceof checker[name],
      });
    }
  }
}
console.log(JSON.stringify(result));
`;

test('instanceof holds across the ESM and CommonJS builds and two copies of core', () => {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, COPIES: JSON.stringify(copies) },
    encoding: 'utf8',
  });
  const { errorNames, distinctClasses, checks } = JSON.parse(output) as {
    errorNames: string[];
    distinctClasses: number;
    checks: Array<Record<string, string | boolean>>;
  };
  // Four builds really are four different class objects: the hazard is present.
  expect(distinctClasses).toBe(4);
  expect(errorNames).toEqual(expect.arrayContaining(['ConvergentError', 'DecodeError', 'InvalidReplicaIdError', 'InvalidValueError']));
  expect(checks).toHaveLength(16 * errorNames.length);
  for (const check of checks) {
    const isDecode = check.name === 'DecodeError';
    const isBase = check.name === 'ConvergentError';
    expect(check, JSON.stringify(check)).toMatchObject({
      own: true,
      base: true,
      asDecodeError: isDecode,
      thrownDecodeError: isDecode || isBase,
      plainError: false,
    });
  }
});
