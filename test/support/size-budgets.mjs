// `pnpm size:reset`: after `pnpm build`, measures every package's size-limit checks and
// sets each whole-entry budget (no `import`, or `import: "*"`) to its measured size plus
// at most 10%, rounded down to 10 B. Tree-shaken budgets (`import: "{ … }"`) are goals
// from the release issue and stay as they are. Prints each change so that the growth can
// be reported.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const packages = new URL('../../packages/', import.meta.url).pathname;
const wholeEntry = (check) => check.import === undefined || check.import === '*';

for (const name of readdirSync(packages).sort()) {
  const file = join(packages, name, 'package.json');
  let json;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    continue;
  }
  if (!Array.isArray(json['size-limit'])) continue;
  // size-limit exits non-zero when a check fails; its JSON report is still complete.
  let out;
  try {
    out = execFileSync('pnpm', ['exec', 'size-limit', '--json'], { cwd: join(packages, name), encoding: 'utf8' });
  } catch (error) {
    out = error.stdout;
  }
  const measured = new Map(JSON.parse(out).map((r) => [r.name, r.size]));
  for (const check of json['size-limit']) {
    const size = measured.get(check.name);
    if (size === undefined) throw new Error(`${name}: no measurement for "${check.name}"`);
    if (!wholeEntry(check)) {
      console.log(`${check.name}: ${size} B (goal ${check.limit}, kept)`);
      continue;
    }
    const limit = `${(Math.floor((size * 1.1) / 10) / 100).toFixed(2)} kB`;
    console.log(`${check.name}: ${size} B, budget ${check.limit} -> ${limit}`);
    check.limit = limit;
  }
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}
