// The demo server's file store keeps the server's DocumentStore contract, and what it
// wrote is there when it is opened again (a restart).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { storeContract } from '../../server/test/support/store-contract.js';
import { FileStore } from '../scripts/file-store.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'convergent-file-store-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

storeContract('FileStore', async () => new FileStore(fresh()));

it('a FileStore opened again on the same directory loads what the last one wrote, deletions included', async () => {
  const dir = fresh();
  const first = new FileStore(dir);
  await first.append('notes/a b', Uint8Array.of(1));
  const seq = await first.append('notes/a b', Uint8Array.of(2));
  await first.compact('notes/a b', Uint8Array.of(9), seq - 1);
  await first.append('gone', Uint8Array.of(3));
  await first.delete('gone');
  await first.close();

  const second = new FileStore(dir);
  expect(await second.load('notes/a b')).toEqual({ state: Uint8Array.of(9), deltas: [{ seq, bytes: Uint8Array.of(2) }] });
  expect(await second.append('notes/a b', Uint8Array.of(4))).toBe(seq + 1);
  expect(await second.load('gone')).toEqual({ state: undefined, deltas: [] });
  const names: string[] = [];
  for await (const name of second.documents()) names.push(name);
  expect(names).toEqual(['notes/a b']);
  await second.close();
});
