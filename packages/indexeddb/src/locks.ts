/**
 * The part of the Web Locks API (`navigator.locks`) that compaction uses: a lock taken
 * only if it is free, so that one tab compacts a document while the others skip.
 * Where `navigator.locks` is missing (Node), stores fall back to {@link memoryLocks},
 * shared by every store of the process.
 *
 * @example
 * ```ts
 * import 'fake-indexeddb/auto'; // Node only: browsers have IndexedDB
 * import * as GCounter from '@convergent/g-counter';
 * import { memoryLocks, openStore, type Locks } from '@convergent/indexeddb';
 *
 * const locks: Locks = globalThis.navigator?.locks ?? memoryLocks();
 * const store = await openStore('locks-example', { locks });
 * (await store.compact('likes', GCounter)).records; // => 0
 * store.close();
 * ```
 */
export interface Locks {
  /**
   * Calls `callback` with a lock held until its promise settles, or with `null` if
   * another holder has the lock.
   * @param name - the lock's name
   * @param options - `{ ifAvailable: true }`: never wait
   * @param callback - the work to do
   * @returns what `callback` returns
   */
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: object | null) => Promise<T>): Promise<T>;
}

/**
 * Locks held in memory: they coordinate the stores of one JavaScript realm (a Node
 * process, tests simulating tabs), not browser tabs. Pass one to `openStore({ locks })`.
 *
 * @returns a fresh, independent lock manager
 *
 * @example
 * ```ts
 * import { memoryLocks } from '@convergent/indexeddb';
 *
 * const locks = memoryLocks();
 * let inner: object | null = {};
 * await locks.request('compact', { ifAvailable: true }, async () => {
 *   inner = await locks.request('compact', { ifAvailable: true }, async (lock) => lock);
 * });
 * inner; // => null
 * ```
 */
export function memoryLocks(): Locks {
  const held = new Set<string>();
  return {
    async request(name, _options, callback) {
      if (held.has(name)) return callback(null);
      held.add(name);
      try {
        return await callback({ name });
      } finally {
        held.delete(name);
      }
    },
  };
}

const processLocks = memoryLocks();

/** `navigator.locks` where there is one, else the process's memory locks. */
export function defaultLocks(): Locks {
  return (globalThis.navigator as { locks?: Locks } | undefined)?.locks ?? processLocks;
}
