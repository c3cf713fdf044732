// End to end in a real browser: Debian's Chromium driven by playwright-core (never a
// downloaded browser). Two tabs of the demo go offline, both edit the text and the
// cart, both reconnect; the test asserts they agree and saves a screenshot. Then the
// editors (CodeMirror and a textarea) both ways, undo, IndexedDB across reloads, the
// React cart (restoring status, per-row re-renders, reload), the seed's cart story (a
// remove concurrent with an add), two profiles over a relay, and two logged-in profiles
// over the demo server, restarted in between.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startRelay } from '@convergent/sync';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromiumLaunchOptions } from '../../../test/support/chromium.js';

const demo = fileURLToPath(new URL('..', import.meta.url));
const shots = path.join(demo, 'test-results');

let server: ViteDevServer | undefined;
let browser: Browser | undefined;
let url = '';

beforeAll(async () => {
  const launch = chromiumLaunchOptions();
  server = await createServer({
    configFile: path.join(demo, 'vite.config.ts'),
    root: demo,
    logLevel: 'warn',
    // No file watching or hot reload: a file edited during the run must not reload the tabs.
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

/** The CodeMirror editor's text (its DOM also holds the peers' caret labels, so ask the page). */
const textOf = (page: Page) => page.evaluate(() => (window as unknown as { demo: { editorText(): string } }).demo.editorText());
const notesOf = (page: Page) => page.locator('#notes').inputValue();
/** The two fields, by what the test reads and where it types. */
const fields = [
  { name: 'CodeMirror', read: textOf, target: '#text .cm-content', undo: '#text-undo', redo: '#text-redo' },
  { name: 'textarea', read: notesOf, target: '#notes', undo: '#notes-undo', redo: '#notes-redo' },
] as const;
const cartOf = (page: Page) => page.locator('#cart li span').allTextContents();
/** The cart as shown: item → quantity. */
async function quantitiesOf(page: Page): Promise<Record<string, number>> {
  const rows = await page.locator('#cart li').evaluateAll((lis) => lis.map((li) => [li.querySelector('span')?.textContent, li.querySelector('output')?.textContent]));
  return Object.fromEntries(rows.map(([item, quantity]) => [item, Number(quantity)]));
}

async function open(page: Page): Promise<void> {
  page.setDefaultTimeout(10_000);
  await page.goto(url, { waitUntil: 'load' });
  await page.locator('body[data-ready="true"]').waitFor();
}

const cartButton = (page: Page, item: string, which: 'more' | 'less' | 'remove') =>
  page.locator('#cart li', { hasText: item }).locator(`button.${which}`);

async function setOnline(page: Page, online: boolean): Promise<void> {
  await (await front(page)).locator('#online').setChecked(online);
  await expect.poll(() => page.locator('#status').textContent()).toContain(online ? 'online' : 'offline');
}

/** Two tabs of the demo in one browser context: tabs of one profile share BroadcastChannels, as in a real browser. */
async function twoTabs(): Promise<{ context: BrowserContext; pages: [Page, Page] }> {
  const context = await browser!.newContext({ viewport: { width: 1000, height: 720 } });
  const pages: [Page, Page] = [await context.newPage(), await context.newPage()];
  for (const page of pages) await open(page);
  return { context, pages };
}

// A background tab's animation frames are throttled, which makes every action wait; act on the front tab.
async function front(page: Page): Promise<Page> {
  await page.bringToFront();
  return page;
}

async function addItem(page: Page, item: string): Promise<void> {
  await front(page);
  await page.locator('#item').fill(item);
  await page.locator('#add').click();
  await expect.poll(() => cartOf(page), { timeout: 5_000 }).toContain(item);
}

test('two tabs go offline, edit text and cart, reconnect and agree', async () => {
  const { context, pages: [one, two] } = await twoTabs();
  try {

    // Online: an edit in one tab shows in the other.
    await front(one);
    await one.locator('#text .cm-content').click();
    await one.keyboard.type('Shopping list');
    await expect.poll(() => textOf(two), { timeout: 5_000 }).toBe('Shopping list');
    await addItem(one, 'milk');
    await expect.poll(() => cartOf(two), { timeout: 5_000 }).toEqual(['milk']);

    // Both go offline.
    for (const page of [one, two]) await (await front(page)).locator('#online').uncheck();
    for (const page of [one, two]) await expect.poll(() => page.locator('#status').textContent()).toContain('offline');

    // Concurrent edits on both sides of the partition.
    await front(one);
    await one.locator('#text .cm-content').click();
    await one.keyboard.press('End');
    await one.keyboard.type(' for Saturday');
    await front(two);
    await two.locator('#text .cm-content').click();
    await two.keyboard.press('Home');
    await two.keyboard.type('Our ');
    await addItem(one, 'apples');
    await addItem(two, 'bread');
    await (await front(two)).locator('#cart li', { hasText: 'milk' }).locator('button.remove').click();
    await expect.poll(() => cartOf(two)).toEqual(['bread']);

    // Likes and the profile name too: two likes here, one unlike there; two names at once.
    await front(one);
    await one.locator('#like').click();
    await one.locator('#like').click();
    await (await front(two)).locator('#unlike').click();
    for (const [page, who] of [[one, 'Alice'], [two, 'Alicia']] as const) {
      await front(page);
      await page.locator('#name').fill(who);
      await page.locator('#save').click();
    }
    await expect.poll(() => one.locator('#likes').textContent()).toBe('2');
    await expect.poll(() => two.locator('#likes').textContent()).toBe('-1');

    expect(await textOf(one)).toBe('Shopping list for Saturday');
    expect(await textOf(two)).toBe('Our Shopping list');
    expect(await cartOf(one)).toEqual(['apples', 'milk']);

    // Both reconnect; they merge.
    for (const page of [one, two]) await (await front(page)).locator('#online').check();
    await expect.poll(async () => (await textOf(one)) === (await textOf(two)), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => JSON.stringify(await cartOf(one)) === JSON.stringify(await cartOf(two)), { timeout: 10_000 }).toBe(true);

    expect(await textOf(one)).toBe('Our Shopping list for Saturday');
    expect(await textOf(two)).toBe('Our Shopping list for Saturday');
    // Two removed milk, which it had seen; one's apples and two's bread both stay.
    expect(await cartOf(one)).toEqual(['apples', 'bread']);
    expect(await cartOf(two)).toEqual(['apples', 'bread']);
    expect(await quantitiesOf(two)).toEqual({ apples: 1, bread: 1 });

    // The counter keeps every like; the register keeps both concurrent names as siblings.
    for (const page of [one, two]) {
      await expect.poll(() => page.locator('#likes').textContent()).toBe('1');
      await expect.poll(() => page.locator('#names .sibling').allTextContents()).toEqual(['Alice', 'Alicia']);
    }

    mkdirSync(shots, { recursive: true });
    await one.screenshot({ path: path.join(shots, 'web-demo-tab-1.png'), fullPage: true });
    await two.screenshot({ path: path.join(shots, 'web-demo-tab-2.png'), fullPage: true });
    expect(existsSync(path.join(shots, 'web-demo-tab-1.png'))).toBe(true);
  } finally {
    await context.close();
  }
}, 90_000);

test('editors, both ways, in CodeMirror and in a textarea: astral characters, select-all delete, a caret kept while the other types before it, remote carets, offline edits', async () => {
  const { context, pages } = await twoTabs();
  try {
    for (const field of fields) {
      for (const [me, other] of [pages, [pages[1], pages[0]]] as const) {
        const type = async (page: Page, ...keys: string[]) => {
          await front(page);
          for (const key of keys) await (key.length > 1 && /^[A-Z]/.test(key) ? page.keyboard.press(key) : page.keyboard.type(key));
        };
        const both = async (expected: string) => {
          for (const page of [me, other]) await expect.poll(() => field.read(page), { timeout: 5_000 }).toBe(expected);
        };
        for (const page of [me, other]) await (await front(page)).locator(field.target).click();

        // Emoji and other astral characters (surrogate pairs), typed here and deleted there.
        await type(me, 'a😀b𝒳');
        await both('a😀b𝒳');
        await type(other, 'Control+End', 'Backspace', 'Backspace');
        await both('a😀');
        await type(other, 'Backspace', '🎉');
        await both('a🎉');
        // Select all, then delete.
        await type(me, 'Control+a', 'Backspace');
        await both('');

        // The other's caret stays after "hello" while this side types before it.
        await type(me, 'hello world');
        await both('hello world');
        await type(other, 'Control+End', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft');
        await type(me, 'Control+Home', '👋 ');
        await both('👋 hello world');
        await type(other, ',');
        await both('👋 hello, world');

        if (field.name === 'CodeMirror') {
          // The other side draws this side's caret, named.
          const name = await me.locator('#me').textContent();
          await expect.poll(() => other.locator('.cm-convergent-caret-label').allTextContents(), { timeout: 5_000 }).toContain(name);
        }

        // Offline on both sides, both edit, both back: the edits merge.
        for (const page of [me, other]) await setOnline(page, false);
        await (await front(me)).locator(field.target).click();
        await type(me, 'Control+End', ' 🌍');
        await (await front(other)).locator(field.target).click();
        await type(other, 'Control+Home', '¡');
        await expect.poll(() => field.read(me)).toBe('👋 hello, world 🌍');
        await expect.poll(() => field.read(other)).toBe('¡👋 hello, world');
        for (const page of [me, other]) await setOnline(page, true);
        await both('¡👋 hello, world 🌍');

        await (await front(me)).locator(field.target).click();
        await type(me, 'Control+a', 'Backspace');
        await both('');
      }
    }
  } finally {
    await context.close();
  }
}, 90_000);

test('undo in both fields: two people type, one undoes (keys or button), the other\'s text stays; redo brings it back', async () => {
  const { context, pages: [alice, bob] } = await twoTabs();
  try {
    for (const field of fields) {
      const both = async (expected: string) => {
        for (const page of [alice, bob]) await expect.poll(() => field.read(page), { timeout: 5_000 }).toBe(expected);
      };
      await (await front(alice)).locator(field.target).click();
      await alice.keyboard.type('Alice 👩');
      await both('Alice 👩');
      await (await front(bob)).locator(field.target).click();
      await bob.keyboard.press('Control+End');
      await bob.keyboard.type(' and Bob 👨');
      await both('Alice 👩 and Bob 👨');

      // Alice undoes with the key: her words go, Bob's stay; she redoes with the button.
      await (await front(alice)).locator(field.target).click();
      await alice.keyboard.press('Control+z');
      await both(' and Bob 👨');
      await alice.locator(field.redo).click();
      await both('Alice 👩 and Bob 👨');
      // Bob undoes with the button: Alice's words stay; Ctrl+Shift+Z redoes, Ctrl+Y after an undo too.
      await (await front(bob)).locator(field.undo).click();
      await both('Alice 👩');
      await bob.locator(field.target).click();
      await bob.keyboard.press('Control+Shift+z');
      await both('Alice 👩 and Bob 👨');
      await bob.keyboard.press('Control+z');
      await both('Alice 👩');
      await bob.keyboard.press('Control+y');
      await both('Alice 👩 and Bob 👨');
    }
  } finally {
    await context.close();
  }
}, 60_000);

test('IndexedDB: a tab reloaded offline keeps its edits and syncs them once online; a tab opened while another is offline reads its edits from disk', async () => {
  const { context, pages: [one, two] } = await twoTabs();
  const saved = (page: Page) => expect.poll(() => page.locator('#saved').textContent()).toBe('saved');
  try {
    await (await front(one)).locator('#text .cm-content').click();
    await one.keyboard.type('kept ✓');
    await (await front(one)).locator('#notes').fill('notes 📝');
    await addItem(one, 'eggs');
    await expect.poll(() => textOf(two), { timeout: 5_000 }).toBe('kept ✓');

    // One goes offline, edits, and is reloaded offline: everything is still there, the switch still off.
    await setOnline(one, false);
    await (await front(one)).locator('#text .cm-content').click();
    await one.keyboard.press('Control+End');
    await one.keyboard.type(' offline 🛰');
    await addItem(one, 'flour');
    await saved(one);
    await one.reload({ waitUntil: 'load' });
    await one.locator('body[data-ready="true"]').waitFor();
    expect(await one.locator('#online').isChecked()).toBe(false);
    expect(await textOf(one)).toBe('kept ✓ offline 🛰');
    expect(await notesOf(one)).toBe('notes 📝');
    expect(await cartOf(one)).toEqual(['eggs', 'flour']);
    expect(await textOf(two)).toBe('kept ✓'); // the reloaded tab is still offline
    // Online again: the edits made before the reload reach the other tab.
    await setOnline(one, true);
    await expect.poll(() => textOf(two), { timeout: 10_000 }).toBe('kept ✓ offline 🛰');
    await expect.poll(() => cartOf(two), { timeout: 10_000 }).toEqual(['eggs', 'flour']);

    // One offline again, edits; a third tab opened meanwhile reads those edits from IndexedDB.
    await setOnline(one, false);
    await addItem(one, 'sugar');
    await saved(one);
    const three = await context.newPage();
    await open(three);
    expect(await cartOf(three)).toEqual(['eggs', 'flour', 'sugar']);
    expect(await textOf(three)).toBe('kept ✓ offline 🛰');
    await addItem(three, 'butter'); // online: two hears it (and sugar, which three read from disk); offline one does not
    await expect.poll(() => cartOf(two), { timeout: 5_000 }).toEqual(['butter', 'eggs', 'flour', 'sugar']);
    expect(await cartOf(one)).toEqual(['eggs', 'flour', 'sugar']);
    await setOnline(one, true);
    for (const page of [one, two, three]) await expect.poll(() => cartOf(page), { timeout: 10_000 }).toEqual(['butter', 'eggs', 'flour', 'sugar']);
  } finally {
    await context.close();
  }
}, 60_000);

test('React: the cart (@convergent/react) shows "restoring" until IndexedDB is read, updates only the changed row from a remote change, and after a reload', async () => {
  const { context, pages: [one, two] } = await twoTabs();
  const rendersOf = (page: Page) => page.evaluate(() => (window as unknown as { demo: { cartRenders(): Record<string, number> } }).demo.cartRenders());
  try {
    for (const item of ['apples', 'bread', 'cheese']) await addItem(one, item);
    await expect.poll(() => cartOf(two), { timeout: 5_000 }).toEqual(['apples', 'bread', 'cheese']);
    const before = await rendersOf(two);
    await cartButton(await front(one), 'bread', 'more').click();
    await expect.poll(() => quantitiesOf(two), { timeout: 5_000 }).toEqual({ apples: 1, bread: 2, cheese: 1 });
    const after = await rendersOf(two);
    expect(after.bread).toBeGreaterThan(before.bread!);
    expect([after.apples, after.cheese]).toEqual([before.apples, before.cheese]); // useSelector per row: the others did not re-render

    // Reloaded, the list is first rendered 'restoring', then the restored cart.
    await two.addInitScript(() => {
      const seen: string[] = [];
      Object.assign(window, { cartStatuses: seen });
      new MutationObserver(() => {
        const status = document.getElementById('cart')?.dataset.status;
        if (status !== undefined && seen.at(-1) !== status) seen.push(status);
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await two.reload({ waitUntil: 'load' });
    await two.locator('body[data-ready="true"]').waitFor();
    expect(await quantitiesOf(two)).toEqual({ apples: 1, bread: 2, cheese: 1 });
    expect(await two.evaluate(() => (window as unknown as { cartStatuses: string[] }).cartStatuses)).toEqual(['restoring', 'ready']);
  } finally {
    await context.close();
  }
}, 60_000);

test("the seed's cart: milk 3 everywhere, one tab removes it while the other adds 1; both end with milk 1", async () => {
  const { context, pages: [alice, bob] } = await twoTabs();
  try {
    await addItem(alice, 'milk');
    await cartButton(alice, 'milk', 'more').click();
    await cartButton(alice, 'milk', 'more').click();
    for (const page of [alice, bob]) await expect.poll(() => quantitiesOf(page), { timeout: 5_000 }).toEqual({ milk: 3 });

    // Alice, offline, removes milk; Bob, who has not seen that, adds one.
    await setOnline(alice, false);
    await cartButton(alice, 'milk', 'remove').click();
    await expect.poll(() => quantitiesOf(alice)).toEqual({});
    await (await front(bob)).locator('#item').fill('milk');
    await bob.locator('#add').click();
    await expect.poll(() => quantitiesOf(bob)).toEqual({ milk: 4 }); // Alice's removal has not reached Bob

    // Alice reconnects: each tab merges the other's change after its own (both orders).
    await setOnline(alice, true);
    for (const page of [alice, bob]) await expect.poll(() => quantitiesOf(page), { timeout: 10_000 }).toEqual({ milk: 1 });

    // Plain concurrent increments, both offline: every + counts once.
    for (const page of [alice, bob]) await setOnline(page, false);
    await cartButton(await front(alice), 'milk', 'more').click();
    await expect.poll(() => quantitiesOf(alice)).toEqual({ milk: 2 });
    await cartButton(await front(bob), 'milk', 'more').click();
    await cartButton(bob, 'milk', 'more').click();
    await expect.poll(() => quantitiesOf(bob)).toEqual({ milk: 3 });
    for (const page of [alice, bob]) await setOnline(page, true);
    for (const page of [alice, bob]) await expect.poll(() => quantitiesOf(page), { timeout: 10_000 }).toEqual({ milk: 4 });

    // − lowers the quantity, and at 1 removes the item.
    await cartButton(await front(alice), 'milk', 'less').click();
    for (const page of [alice, bob]) await expect.poll(() => quantitiesOf(page), { timeout: 5_000 }).toEqual({ milk: 3 });
    for (let i = 0; i < 3; i++) await cartButton(alice, 'milk', 'less').click();
    for (const page of [alice, bob]) await expect.poll(() => quantitiesOf(page), { timeout: 5_000 }).toEqual({});
  } finally {
    await context.close();
  }
}, 90_000);

test("two browser profiles (no shared BroadcastChannel) sync through the relay with the browser's WebSocket", async () => {
  const relay = await startRelay({ host: '127.0.0.1', port: 0 });
  // Separate contexts share no BroadcastChannel: only the relay connects them.
  const contexts = [await browser!.newContext(), await browser!.newContext()];
  try {
    const [one, two] = [await contexts[0]!.newPage(), await contexts[1]!.newPage()];
    for (const page of [one, two]) {
      page.setDefaultTimeout(10_000);
      await page.goto(`${url}?relay=${encodeURIComponent(`${relay.url}/e2e`)}`, { waitUntil: 'load' });
      await page.locator('body[data-ready="true"]').waitFor();
      await expect.poll(() => page.locator('#relay').textContent()).toContain('connected');
    }
    await front(one);
    await one.locator('#text .cm-content').click();
    await one.keyboard.type('over the wire');
    await expect.poll(() => textOf(two), { timeout: 5_000 }).toBe('over the wire');

    // A partition through the relay too: both offline, both edit, both back.
    for (const page of [one, two]) await (await front(page)).locator('#online').uncheck();
    await addItem(one, 'tea');
    await addItem(two, 'coffee');
    for (const page of [one, two]) await (await front(page)).locator('#online').check();
    for (const page of [one, two]) await expect.poll(() => cartOf(page), { timeout: 10_000 }).toEqual(['coffee', 'tea']);
    expect(relay.clients).toBe(2);
  } finally {
    for (const context of contexts) await context.close();
    await relay.close();
  }
}, 90_000);

/** The demo server as `pnpm server` runs it, in a child process: it can be stopped and started again on the same port. */
async function startDemoServer(data: string, port = 0): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@convergent/source', 'scripts/server.ts', String(port)], {
    cwd: demo,
    env: { ...process.env, DATA: data },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (ws:\/\/[^/\s]+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the demo server exited (${code}): ${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    port: Number(new URL(url).port),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM'); // a graceful close: writes flushed, documents compacted
      await exited;
    },
  };
}

/** The HTTP status the server answers a WebSocket upgrade to `doc` with these query parameters (101: accepted). */
function upgradeStatus(serverUrl: string, doc: string, query: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${serverUrl.replace(/^ws:/, 'http:')}/${doc}?${new URLSearchParams(query)}`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('error', reject);
    req.end();
  });
}

test('the server: alice and bob log in from two profiles and sync through it, carets too; their documents survive a server restart', async () => {
  const data = mkdtempSync(path.join(tmpdir(), 'convergent-demo-'));
  let server = await startDemoServer(data);
  const contexts: BrowserContext[] = [];
  const logIn = async (user: string, password: string): Promise<Page> => {
    const context = await browser!.newContext(); // a profile of its own: no shared BroadcastChannel or IndexedDB
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${url}?server=${encodeURIComponent(server.url)}`, { waitUntil: 'load' });
    await page.locator('body[data-login="true"]').waitFor();
    await page.locator('#user').fill(user);
    await page.locator('#password').fill(password);
    await page.locator('#log-in').click();
    await page.locator('body[data-ready="true"]').waitFor();
    await expect.poll(() => page.locator('#relay').textContent()).toContain('connected');
    expect(await page.locator('#me').textContent()).toBe(user);
    return page;
  };
  try {
    // The authenticate hook: each user's own password only, and only the demo's documents.
    expect(await upgradeStatus(server.url, 'text', { user: 'alice', password: 'wonderland' })).toBe(101);
    expect(await upgradeStatus(server.url, 'text', { user: 'bob', password: 'wonderland' })).toBe(401);
    expect(await upgradeStatus(server.url, 'text', { user: 'mallory', password: '' })).toBe(401);
    expect(await upgradeStatus(server.url, 'secrets', { user: 'alice', password: 'wonderland' })).toBe(404);

    const alice = await logIn('alice', 'wonderland');
    const bob = await logIn('bob', 'builder');
    await (await front(alice)).locator('#text .cm-content').click();
    await alice.keyboard.type('Hello from Alice 👋');
    await expect.poll(() => textOf(bob), { timeout: 5_000 }).toBe('Hello from Alice 👋');
    // Presence crosses the server (two profiles share no BroadcastChannel): each draws the other's caret, named.
    await (await front(bob)).locator('#text .cm-content').click();
    await expect.poll(() => bob.locator('.cm-convergent-caret-label').allTextContents(), { timeout: 5_000 }).toContain('alice');
    await expect.poll(() => alice.locator('.cm-convergent-caret-label').allTextContents(), { timeout: 5_000 }).toContain('bob');
    await addItem(bob, 'tea');
    await expect.poll(() => cartOf(alice), { timeout: 5_000 }).toEqual(['tea']);

    // A partition through the server: both offline, both edit, both back.
    for (const page of [alice, bob]) await setOnline(page, false);
    await addItem(alice, 'jam');
    await addItem(bob, 'coffee');
    for (const page of [alice, bob]) await setOnline(page, true);
    for (const page of [alice, bob]) await expect.poll(() => cartOf(page), { timeout: 10_000 }).toEqual(['coffee', 'jam', 'tea']);

    // Every tab closed, the server restarted: a fresh profile (nothing in its IndexedDB) gets it all from the server.
    for (const context of contexts.splice(0)) await context.close();
    await server.stop();
    server = await startDemoServer(data, server.port);
    const fresh = await logIn('bob', 'builder');
    await expect.poll(() => textOf(fresh), { timeout: 10_000 }).toBe('Hello from Alice 👋');
    await expect.poll(() => cartOf(fresh), { timeout: 10_000 }).toEqual(['coffee', 'jam', 'tea']);
  } finally {
    for (const context of contexts) await context.close();
    await server.stop();
    rmSync(data, { recursive: true, force: true });
  }
}, 60_000);
