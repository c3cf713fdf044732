import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const demo = join(dirname(fileURLToPath(import.meta.url)), '../packages/demo');

test('the terminal demo shows disagreement during the partition and ends converged', () => {
  const out = execFileSync('npx', ['tsx', '--conditions=@convergent/source', 'src/main.ts'], {
    cwd: demo,
    env: { ...process.env, CI: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(out).toMatch(/DIFFER {2}— partition/);
  expect(out.trim().split('\n').at(-1)).toBe('Converged: all three replicas agree, and nothing was lost.');
});
