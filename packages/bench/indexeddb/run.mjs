// pnpm bench -- --section indexeddb   (or: node packages/bench/indexeddb/run.mjs [--runs 7])
// @convergent/indexeddb in real Chromium (Debian's /usr/bin/chromium through
// playwright-core, a persistent profile in a temporary folder so that IndexedDB is on
// disk): the automerge-paper trace written through a persisted RGA replica, one record
// per change; stored bytes after compaction against the encoded state; stored size over
// 100 reloads with no edits; a cold restore from IndexedDB against a cold decode of the
// same bytes, each in a freshly loaded page. Prints a Markdown section.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createServer, defaultClientConditions } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 7);
// --phase trace: only the trace written and compacted; --phase seeded: only the clean profile.
const phases = args.includes('--phase') ? [args[args.indexOf('--phase') + 1]] : ['trace', 'seeded'];
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const trace = JSON.parse(gunzipSync(readFileSync(path.join(repoRoot, 'test/traces/automerge-paper.json.gz'))).toString('utf8'));
const patches = trace.txns.flatMap((t) => t.patches);

const server = await createServer({
  configFile: false,
  root: path.join(here, 'page'),
  logLevel: 'warn',
  resolve: { conditions: ['@convergent/source', ...defaultClientConditions] },
  server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
});
await server.listen();
const url = `http://127.0.0.1:${server.httpServer.address().port}/`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (x) => `${(x / 1000).toFixed(1)} kB`;

/** A Chromium with its own profile on disk (IndexedDB is in memory in a context without one). */
async function withProfile(work) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'convergent-idb-bench-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: FLAGS, headless: true, timeout: 30_000 });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(300_000);
    const served = { paper: new Uint8Array() };
    await page.route('**/paper.bin', (route) => route.fulfill({ body: Buffer.from(served.paper), contentType: 'application/octet-stream' }));
    const fresh = async () => {
      await page.goto(url, { waitUntil: 'load' });
      await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    };
    const call = (name, arg) => page.evaluate(([n, a]) => window.bench[n](a), [name, arg]);
    return await work({ fresh, call, served, version: context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent)) });
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Cold restores: each step in a freshly loaded page. */
async function coldRuns({ fresh, call }) {
  const times = { decode: [], open: [], load: [], restore: [], 'restore-log': [] };
  for (let i = 0; i < runs; i++) {
    await fresh();
    times.decode.push((await call('decodeOnce')).ms);
    for (const how of ['load', 'restore', 'restore-log']) {
      await fresh();
      const r = await call('restoreOnce', how);
      if (r.length !== trace.endContent.length) throw new Error('restored the wrong length');
      times[how].push(r.ms);
      if (how === 'load') times.open.push(r.openMs);
    }
  }
  return times;
}

const table = (title, times) => {
  const decode = median(times.decode);
  const row = (label, xs) => `| ${label} | ${ms(median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))}) | ${(median(xs) / decode).toFixed(2)}× |\n`;
  let t = `\n${title}, cold, each in a freshly loaded page, median of ${runs} (min–max):\n\n| step | time | × cold decode |\n| --- | --- | --- |\n`;
  t += row('decode the encoded state (`RGA.decode`)', times.decode);
  t += row('`openStore` alone', times.open);
  t += row('`openStore` + `store.load` (read, checksum, decode)', times.load);
  t += row('`openStore` + `restore` (full-state sync)', times.restore);
  t += row("`openStore` + `restore` with `deltaLog: true` (the demo's text; the replica logs its initial state)", times['restore-log']);
  return t;
};

try {
  let md = '';
  if (phases.includes('trace'))
    md += await withProfile(async (browser) => {
      const { fresh, call, served } = browser;
      console.error('indexeddb bench: writing the trace');
      await fresh();
      const written = await call('write', patches);
      if (written.text !== trace.endContent) throw new Error('the replayed text differs from the trace');
      served.paper = Buffer.from(written.base64, 'base64');
      console.error('indexeddb bench: 100 reloads');
      await fresh();
      const start = await call('usage');
      for (let i = 0; i < 100; i++) {
        await fresh();
        await call('reload');
      }
      const after100 = await call('usage');
      console.error('indexeddb bench: cold restores after the trace');
      const afterTrace = await coldRuns(browser);
      let t = `\n## IndexedDB persistence (@convergent/indexeddb, Chromium ${browser.version})\n\n`;
      t += `automerge-paper (${patches.length.toLocaleString('en')} patches) written through a persisted RGA replica, one record per change; sizes from \`store.usage\` (record bytes plus keys and fields) and \`navigator.storage.estimate()\` (Chromium's whole origin, LevelDB files included).\n\n`;
      t += `| measure | value |\n| --- | --- |\n`;
      t += `| encoded state (\`RGA.encode\`) | ${kb(written.encoded)} |\n`;
      t += `| stored before compaction | ${written.before.records.toLocaleString('en')} records, ${kb(written.before.bytes)} |\n`;
      t += `| stored after compaction | ${written.after.records} record, ${kb(written.after.bytes)} = **${(written.after.bytes / written.encoded).toFixed(3)}×** the encoded state (goal ≤ 1.5×) |\n`;
      t += `| writing the trace (updates, then \`whenDurable\`; relaxed durability) | ${ms(written.writeMs)} |\n`;
      t += `| compaction | ${ms(written.compactMs)} |\n`;
      t += `| 100 reloads, no edits: records, bytes | ${start.records}, ${kb(start.bytes)} → ${after100.records}, ${kb(after100.bytes)} (goal: no growth) |\n`;
      t += `| 100 reloads: Chromium's estimate for the origin | ${kb(start.estimate)} → ${kb(after100.estimate)} |\n`;
      return t + table('Restoring from the profile the trace was written to (its 259,778 records deleted by the compaction)', afterTrace);
    });
  if (phases.includes('seeded'))
    md += await withProfile(async (browser) => {
      const { fresh, call, served } = browser;
      console.error('indexeddb bench: a fresh profile holding only the state');
      await fresh();
      served.paper = Buffer.from(await call('replay', patches), 'base64');
      await call('seed');
      return table(`Restoring from a fresh profile that only ever held the one state record (${kb(served.paper.length)})`, await coldRuns(browser));
    });
  md += `\nGoal: restoring ≤ 2× the cold decode.\n`;
  process.stdout.write(md);
} finally {
  await server.close();
}
