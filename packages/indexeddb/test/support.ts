// Shared by the tests: a fresh database name per test, closers run after each test,
// and raw access to the records (as another program, or a bad disk, would see them).
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach } from 'vitest';
import { deleteStore, type DocumentStore } from '../src/index.js';

let next = 0;
/** A database name no other test uses. */
export const freshName = (what: string) => `test-${what}-${process.pid}-${next++}`;

/** Closers run after each test of the calling file, last registered first. */
export function cleanupAfterEach(): Array<() => unknown> {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  return cleanup;
}

/** Closes the store and deletes its database after the test. */
export function disposeLater(cleanup: Array<() => unknown>, store: DocumentStore): DocumentStore {
  cleanup.push(() => {
    store.close();
    return deleteStore(store.name);
  });
  return store;
}

/** Every stored record, key → value, read through a separate connection. */
export async function rawRecords(name: string): Promise<Map<number, Record<string, unknown>>> {
  const db = await openDB(name);
  try {
    const tx = db.transaction('records');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    return new Map(keys.map((key, i) => [Number(key), values[i]]));
  } finally {
    db.close();
  }
}

/** Writes a raw value into the records store (a foreign program, or bytes corrupted on disk). */
export async function putRaw(name: string, value: unknown, key?: number): Promise<number> {
  const db = await openDB(name);
  try {
    return Number(await db.put('records', value, key));
  } finally {
    db.close();
  }
}

/** Replaces a method of a prototype until the returned function restores it. */
export function patch<T extends object, K extends keyof T>(target: T, name: K, replacement: (original: T[K]) => T[K]): () => void {
  const original = target[name];
  target[name] = replacement(original);
  return () => {
    target[name] = original;
  };
}
