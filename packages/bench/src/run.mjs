// pnpm bench [-- --runs 5 --automerge-runs 2 --trace automerge-paper --lib rga,yjs --section traces,text,or-set,maps,lists,indexeddb]
// Runs every (library, trace, phase) in a fresh Node process, several times, and
// prints a Markdown table of medians with min-max; then, with rga, the delivery-order and
// unrelated-states ratios of order.mjs. Never part of the tests.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const traces = path.join(repoRoot, 'test/traces');
const out = path.join(repoRoot, '.bench-out');
mkdirSync(out, { recursive: true });

const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(option('runs', '5'));
const automergeRuns = Number(option('automerge-runs', '2'));
const sections = option('section', 'traces,text,or-set,maps,lists,indexeddb').split(',');
const traceNames = sections.includes('traces') ? option('trace', 'automerge-paper,seph-blog1').split(',') : [];
const libs = option('lib', 'rga,rga-batch,yjs,automerge,loro,json-joy,string,rope').split(',');

if (((traceNames.length && libs.some((l) => l.startsWith('rga'))) || sections.includes('text')) && !existsSync(path.join(repoRoot, 'packages/rga/dist/index.js'))) {
  console.error('build first: pnpm --filter @convergent/core --filter @convergent/rga build');
  process.exit(1);
}

function measure(library, trace, phase) {
  const stdout = execFileSync(process.execPath, ['--expose-gc', path.join(here, 'worker.mjs'), library, trace, phase, out, traces], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').pop());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

const results = {};
for (const trace of traceNames) {
  results[trace] = {};
  for (const library of libs) {
    const n = library === 'automerge' ? automergeRuns : runs;
    const apply = [];
    for (let i = 0; i < n; i++) apply.push(measure(library, trace, 'apply'));
    const row = {
      apply: stats(apply.map((r) => r.ms)),
      bytes: apply[0].bytes,
      deflated: apply[0].deflated,
      heap: stats(apply.map((r) => r.heap)),
    };
    const load = [];
    for (let i = 0; i < n; i++) load.push(measure(library, trace, 'load'));
    row.load = stats(load.map((r) => r.ms));
    if (!['string', 'rope'].includes(library)) {
      const merge = [];
      for (let i = 0; i < n; i++) merge.push(measure(library, trace, 'merge'));
      row.merge = stats(merge.map((r) => r.ms));
    }
    results[trace][library] = row;
    console.error(`${trace} ${library}: apply ${row.apply.median.toFixed(0)} ms, ${row.bytes} B, load ${row.load.median.toFixed(1)} ms, merge ${row.merge ? row.merge.median.toFixed(1) : '-'} ms, heap ${(row.heap.median / 2 ** 20).toFixed(2)} MiB`);
  }
}

const ms = (s) => (s ? `${s.median.toFixed(s.median < 100 ? 1 : 0)} (${s.min.toFixed(s.min < 100 ? 1 : 0)}–${s.max.toFixed(s.max < 100 ? 1 : 0)})` : '–');
const mib = (s) => `${(s.median / 2 ** 20).toFixed(2)}`;
let md = `Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores; ${runs} runs per measure (Automerge apply/load/merge: ${automergeRuns}), each in a fresh process. Times in ms: median (min–max).\n`;
for (const trace of traceNames) {
  md += `\n### ${trace}\n\n| library | local apply (ms) | encoded (bytes) | deflated (bytes) | load (ms) | merge into empty (ms) | heap after GC (MiB) |\n| --- | --- | --- | --- | --- | --- | --- |\n`;
  for (const [library, row] of Object.entries(results[trace]))
    md += `| ${library} | ${ms(row.apply)} | ${row.bytes.toLocaleString('en-US')} | ${row.deflated.toLocaleString('en-US')} | ${ms(row.load)} | ${ms(row.merge)} | ${mib(row.heap)} |\n`;
  const rga = results[trace].rga;
  if (rga) {
    md += `\n@convergent/rga relative to each (ratio < 1: rga is faster or smaller):\n\n| vs | apply | encoded | deflated | load | merge | heap |\n| --- | --- | --- | --- | --- | --- | --- |\n`;
    for (const [library, row] of Object.entries(results[trace])) {
      if (library === 'rga') continue;
      const r = (a, b) => (a && b ? (a / b).toFixed(2) : '–');
      md += `| ${library} | ${r(rga.apply.median, row.apply.median)} | ${r(rga.bytes, row.bytes)} | ${r(rga.deflated, row.deflated)} | ${r(rga.load.median, row.load.median)} | ${r(rga.merge?.median, row.merge?.median)} | ${r(rga.heap.median, row.heap.median)} |\n`;
    }
  }
}
if (traceNames.length && libs.includes('rga')) {
  // Costs that depend on what a replica receives: ratios timed side by side in one process.
  const order = execFileSync(process.execPath, ['--expose-gc', path.join(here, 'order.mjs'), '--trace', traceNames.join(','), '--runs', String(Math.min(runs, 3))], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  md += `\n### Delivery order and unrelated states (@convergent/rga)\n\n${order}`;
}
if (sections.includes('text')) {
  // What an editor binding pays per remote keystroke (issue 15).
  md += execFileSync(process.execPath, ['--expose-gc', path.join(here, 'text-changes.mjs'), '--runs', String(runs)], { encoding: 'utf8' });
}
if (sections.includes('or-set')) {
  if (!existsSync(path.join(repoRoot, 'packages/or-set/dist/index.js'))) {
    console.error('build first: pnpm --filter @convergent/core --filter @convergent/version-vector --filter @convergent/or-set build');
    process.exit(1);
  }
  md += execFileSync(process.execPath, ['--expose-gc', path.join(here, 'or-set.mjs')], { encoding: 'utf8' });
}
if (sections.includes('maps')) {
  if (!existsSync(path.join(repoRoot, 'packages/or-map/dist/index.js'))) {
    console.error('build first: pnpm build');
    process.exit(1);
  }
  md += execFileSync(process.execPath, ['--expose-gc', path.join(here, 'maps.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}
if (sections.includes('lists')) {
  if (!existsSync(path.join(repoRoot, 'packages/or-list/dist/index.js'))) {
    console.error('build first: pnpm build');
    process.exit(1);
  }
  md += execFileSync(process.execPath, ['--expose-gc', path.join(here, 'lists.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}
if (sections.includes('indexeddb')) {
  md += execFileSync(process.execPath, [path.join(here, '../indexeddb/run.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}
writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2));
writeFileSync(path.join(out, 'results.md'), md);
process.stdout.write(md);
