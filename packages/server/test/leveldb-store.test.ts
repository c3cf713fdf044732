import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodeError } from '@convergent/core';
import { ClassicLevel } from 'classic-level';
import { afterAll, describe, expect, it } from 'vitest';
import { LevelDbStore } from '../src/index.js';
import { storeContract } from './support/store-contract.js';

const folders: string[] = [];
const folder = (): string => {
  const made = mkdtempSync(join(tmpdir(), 'convergent-leveldb-'));
  folders.push(made);
  return made;
};
afterAll(() => {
  for (const made of folders) rmSync(made, { recursive: true, force: true });
});
const bytes = (...values: number[]) => new Uint8Array(values);

storeContract('LevelDbStore', async () => LevelDbStore.open(folder()));

describe('LevelDbStore on disk', () => {
  it('keeps the state, the deltas and the sequence numbers across a reopen', async () => {
    const where = folder();
    const first = await LevelDbStore.open(where);
    await first.append('a', bytes(1));
    const two = await first.append('a', bytes(2));
    await first.append('a', bytes(3));
    await first.compact('a', bytes(12), two);
    await first.close();
    const second = await LevelDbStore.open(where);
    expect(await second.load('a')).toEqual({ state: bytes(12), deltas: [{ seq: 3, bytes: bytes(3) }] });
    expect(await second.append('a', bytes(4))).toBe(4);
    await second.close();
  });

  it('keeps the replica-id bindings across a reopen', async () => {
    const where = folder();
    const first = await LevelDbStore.open(where);
    expect(await first.bind('laptop', 'alice')).toBe('alice');
    await first.close();
    const second = await LevelDbStore.open(where);
    expect(await second.bind('laptop', 'mallory')).toBe('alice');
    await second.close();
  });

  it('gives a released document the next sequence number, not a reused one, with appends in flight', async () => {
    const store = await LevelDbStore.open(folder());
    await store.append('a', bytes(1));
    const inFlight = [store.append('a', bytes(2)), store.append('a', bytes(3))];
    store.release('a'); // ignored: appends of 'a' are under way
    const later = store.append('a', bytes(4));
    const seqs = [...(await Promise.all(inFlight)), await later];
    store.release('a');
    seqs.push(await store.append('a', bytes(5)));
    expect(seqs).toEqual([2, 3, 4, 5]);
    await store.close();
  });

  it('refuses a second opener of the same folder (LevelDB lock)', async () => {
    const where = folder();
    const store = await LevelDbStore.open(where);
    await expect(LevelDbStore.open(where)).rejects.toThrow();
    await store.close();
  });

  it('reports bytes it did not write as a DecodeError, not a wrong document', async () => {
    const where = folder();
    const raw = new ClassicLevel<string, Uint8Array>(where, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await raw.put('m!1:a', bytes(1, 2, 3));
    await raw.close();
    const store = await LevelDbStore.open(where);
    await expect(store.append('a', bytes(1))).rejects.toBeInstanceOf(DecodeError);
    await store.close();
  });
});
