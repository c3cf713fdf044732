// Extracts every ```ts fence inside an @example of the public packages' sources into
// test/doctest/generated/, turning `expr; // => expected` lines into assertions, so the
// examples are type-checked (tsc -p test) and executed (test/doctest/doctest.test.ts).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'test/doctest/generated');

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

export function publicPackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, 'package.json')) && existsSync(join(path, 'src')))
    .filter((path) => !JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')).private);
}

const ASSERTION = /^(\s*)(.+?);?\s*\/\/\s*=>\s*(.+)$/;

export function examplesOf(source) {
  const examples = [];
  for (const comment of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const line = source.slice(0, comment.index).split('\n').length;
    const text = comment[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n');
    for (const example of text.matchAll(/@example([\s\S]*?)(?=\n@\w|$)/g)) {
      for (const fence of example[1].matchAll(/```ts\n([\s\S]*?)```/g)) examples.push({ line, code: fence[1] });
    }
  }
  return examples;
}

function toModule(code, where) {
  const imports = [];
  const body = [];
  for (const line of code.split('\n')) {
    if (/^import\s/.test(line)) imports.push(line);
    else {
      const m = ASSERTION.exec(line);
      body.push(m ? `${m[1]}check(${m[2]}, ${m[3]}, ${JSON.stringify(where)});` : line);
    }
  }
  return [
    `// Generated from ${where} by test/support/doctest-gen.mjs. Do not edit.`,
    `import { check } from '../check.js';`,
    ...imports,
    '',
    'export async function run(): Promise<void> {',
    ...body.map((l) => (l ? `  ${l}` : l)),
    '}',
    '',
  ].join('\n');
}

// Writes only what changed (atomically, by rename) and removes stale files, so that two
// test runs at once never see a half-written or missing example.
export function generate() {
  const files = new Map();
  for (const pkg of publicPackages()) {
    for (const file of sourceFiles(join(pkg, 'src'))) {
      const rel = relative(root, file);
      examplesOf(readFileSync(file, 'utf8')).forEach(({ line, code }, i) => {
        const name = `${rel.replace(/^packages\//, '').replace(/[/.]/g, '_')}_${i}.ts`;
        files.set(name, toModule(code, `${rel}:${line}`));
      });
    }
  }
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(out)) if (!files.has(name) && !name.endsWith('.tmp')) rmSync(join(out, name), { force: true });
  for (const [name, text] of files) {
    const path = join(out, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, path);
  }
  return files.size;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`doctest: ${generate()} examples extracted`);
}
