// In real Chromium (Debian's, driven by playwright-core): edits persist across a
// reload, a corrupt record is skipped and reported while the rest restores, and a
// full disk (a quota lowered through the DevTools protocol) is a StorageQuotaError
// that loses nothing. Kept short: one page, served by vite from test/browser.
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, defaultClientConditions, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromiumLaunchOptions } from '../../../test/support/chromium.js';
import type { Harness } from './browser/page.js';


let server: ViteDevServer | undefined;
let browser: Browser | undefined;
let url = '';

beforeAll(async () => {
  const launch = chromiumLaunchOptions();
  server = await createServer({
    configFile: false,
    root: fileURLToPath(new URL('./browser/', import.meta.url)),
    logLevel: 'warn',
    resolve: { conditions: ['@convergent/source', ...defaultClientConditions] },
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (address === null || typeof address !== 'object') throw new Error('vite did not report its port');
  url = `http://127.0.0.1:${address.port}/`;
  browser = await chromium.launch(launch);
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
});

declare const harness: Harness;

async function load(page: Page): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 20_000 });
}

test('persist, reload, restored; a corrupt record is skipped and reported', async () => {
  const context = await browser!.newContext();
  try {
    const page = await context.newPage();
    await load(page);
    await page.evaluate(() => harness.type('written before the reload'));
    await expect.poll(() => page.locator('#saved').textContent()).toBe('saved');

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.evaluate(() => harness.text())).toBe('written before the reload');
    expect(await page.locator('#text').inputValue()).toBe('written before the reload');
    const firstId = await page.evaluate(() => harness.restored.replica.id);

    // A record overwritten with garbage behind the package's back.
    const corrupted = await page.evaluate(async () => {
      await harness.type(' and after');
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('browser-test');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const key = await new Promise<IDBValidKey>((resolve, reject) => {
        const put = db.transaction('records', 'readwrite').objectStore('records').put({ doc: 'notes', format: 1, kind: 'delta', bytes: new Uint8Array([1, 2, 3]), sum: 0 });
        put.onsuccess = () => resolve(put.result);
        put.onerror = () => reject(put.error);
      });
      db.close();
      return Number(key);
    });
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.evaluate(() => harness.text())).toBe('written before the reload and after');
    expect(await page.evaluate(() => harness.restored.errors.map((e) => [e.name, e.key]))).toEqual([['CorruptRecordError', corrupted]]);
    expect(await page.evaluate(() => harness.restored.replica.id)).not.toBe(firstId);

  } finally {
    await context.close();
  }
}, 90_000);

test('a full disk is a StorageQuotaError that loses nothing', async () => {
  const context = await browser!.newContext();
  try {
    const page = await context.newPage();
    // Chromium applies a quota override to storage the origin has not used yet: set it before the first load.
    const cdp = await context.newCDPSession(page);
    const origin = new URL(url).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 300_000 });
    await load(page);
    await page.evaluate(() => harness.type('small'));
    const refused = await page.evaluate(() => harness.type('x'.repeat(1_000_000)).then(() => 'written', (error: Error) => error.name));
    expect(refused).toBe('StorageQuotaError');
    expect(await page.evaluate(() => [harness.restored.persistence.pending, harness.storageErrors, harness.text().length])).toEqual([1, ['StorageQuotaError'], 1_000_005]);
    // Space comes back: the queued edit is written.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.evaluate(() => harness.restored.persistence.whenDurable());
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.evaluate(() => harness.text().length)).toBe(1_000_005);
  } finally {
    await context.close();
  }
}, 90_000);
