// The binding in a real browser: Debian's Chromium driven by playwright-core (never a
// downloaded browser), real keystrokes into two textareas bound to two replicas.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromiumLaunchOptions } from '../../../test/support/chromium.js';


let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  const launch = chromiumLaunchOptions();
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browser-page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    conditions: ['@convergent/source'],
    logLevel: 'silent',
  });
  browser = await chromium.launch(launch);
  page = await browser.newPage();
  await page.setContent('<textarea id="a"></textarea><textarea id="b"></textarea>');
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
}, 60_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
});

const valueOf = (id: string) => page.locator(`#${id}`).inputValue();
const caretOf = (id: string) => page.locator(`#${id}`).evaluate((el: HTMLTextAreaElement) => [el.selectionStart, el.selectionEnd]);
const settled = async (text: string) => {
  await expect.poll(() => valueOf('a')).toBe(text);
  await expect.poll(() => valueOf('b')).toBe(text);
};

test('emoji typed and deleted, select-all delete, and the caret staying while the other side types before it', async () => {
  await page.click('#a');
  await page.keyboard.type('hi 😀');
  await page.keyboard.type(' ok');
  await settled('hi 😀 ok');
  // Backspace over " ok" and the emoji: one keystroke removes both halves of the pair.
  for (let i = 0; i < 4; i++) await page.keyboard.press('Backspace');
  await settled('hi ');
  await page.keyboard.type('👍🏽!');
  await settled('hi 👍🏽!');
  await page.click('#b');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await settled('');

  await page.click('#a');
  await page.keyboard.type('world');
  await settled('world');
  await page.locator('#a').evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(2, 2));
  await page.click('#b');
  await page.keyboard.press('Control+Home');
  await page.keyboard.type('😀 hello ');
  await settled('😀 hello world');
  expect(await caretOf('a')).toEqual([11, 11]);
  await page.click('#a');
  await page.locator('#a').evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(11, 11));
  await page.keyboard.type('-');
  await settled('😀 hello wo-rld');
}, 60_000);
