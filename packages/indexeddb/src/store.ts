import { DEFAULT_LIMITS, type DecodeLimits } from '@convergent/core';
import type { SyncAdapter } from '@convergent/sync';
import { deleteDB, openDB, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import { CorruptRecordError, StorageError, storageError, StoredFormatError } from './errors.js';
import { BY_DOC, FORMAT, migrate, problem, record, RECORDS } from './format.js';
import { defaultLocks, type Locks } from './locks.js';

/**
 * How to open a {@link DocumentStore}.
 *
 * @example
 * ```ts
 * import { memoryLocks, type StoreOptions } from '@convergent/indexeddb';
 *
 * const options: StoreOptions = { locks: memoryLocks(), durability: 'relaxed' };
 * options.durability; // => 'relaxed'
 * ```
 */
export interface StoreOptions {
  /**
   * Locks that keep two tabs from compacting one document at once (default
   * `navigator.locks`; where it is missing, as in Node, locks shared by the process).
   */
  readonly locks?: Locks;
  /**
   * IndexedDB's durability hint for writes (default `'strict'`: a write counts as
   * durable once the browser has flushed it to disk; `'relaxed'` is faster and survives a
   * crash of the browser, not of the operating system).
   */
  readonly durability?: 'strict' | 'relaxed' | 'default';
  /**
   * Bounds for reading records (default `DEFAULT_LIMITS` of core: 16 MiB per record).
   * A record past `maxBytes` is never written (its write fails with a
   * {@link StorageError}) nor read.
   */
  readonly limits?: Partial<DecodeLimits>;
}

/**
 * What {@link DocumentStore.load} found.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import * as GCounter from '@convergent/g-counter';
 * import type { Loaded } from '@convergent/indexeddb';
 *
 * const nothing: Loaded<GCounter.GCounter> = { state: GCounter.bottom, records: 0, errors: [] };
 * nothing.errors.length; // => 0
 * ```
 */
export interface Loaded<S> {
  /** The merge of every sound record (the type's `bottom` if there is none). */
  readonly state: S;
  /** How many records were merged. */
  readonly records: number;
  /** The records skipped, one error each; they stay stored until deleted. */
  readonly errors: readonly CorruptRecordError[];
}

/**
 * Stored size of one document, as {@link DocumentStore.usage} counts it.
 *
 * @example
 * ```ts
 * import type { Usage } from '@convergent/indexeddb';
 *
 * const empty: Usage = { records: 0, bytes: 0 };
 * empty.bytes; // => 0
 * ```
 */
export interface Usage {
  /** Records stored. */
  readonly records: number;
  /** Bytes of the records' encoded states and deltas, plus their keys and fields (document name, 4-byte format, kind and checksum, 8-byte key). */
  readonly bytes: number;
}

/**
 * What {@link DocumentStore.compact} did.
 *
 * @example
 * ```ts
 * import type { Compacted } from '@convergent/indexeddb';
 *
 * const skipped: Compacted = { records: 0, bytes: 0 };
 * skipped.records; // => 0
 * ```
 */
export interface Compacted {
  /** Records replaced: 0 if there was nothing to do or another tab held the lock. */
  readonly records: number;
  /** Bytes of the state record written (0 if none). */
  readonly bytes: number;
}

interface Read<S> extends Loaded<S> {
  /** The keys of the records merged. */
  readonly keys: readonly number[];
}

/**
 * One IndexedDB database holding the records of any number of documents: each
 * change is an immutable record (an encoded delta) appended under a fresh key, and
 * compaction replaces a document's records by one encoded state in one transaction.
 * Tabs share the database safely: each only appends, and compaction deletes exactly
 * the records it merged. Open it with {@link openStore}.
 *
 * @example
 * ```ts
 * import 'fake-indexeddb/auto'; // Node only: browsers have IndexedDB
 * import * as GCounter from '@convergent/g-counter';
 * import { asReplicaId } from '@convergent/core';
 * import { openStore } from '@convergent/indexeddb';
 *
 * const store = await openStore('store-example');
 * const delta = GCounter.increment(GCounter.bottom, asReplicaId('tab'), 2);
 * await store.append('likes', [GCounter.encode(delta)]);
 * GCounter.value((await store.load('likes', GCounter)).state); // => 2
 * store.close();
 * ```
 */
export class DocumentStore {
  /** The database name. */
  readonly name: string;
  private readonly db: IDBPDatabase;
  private readonly locks: Locks;
  private readonly durability: 'strict' | 'relaxed' | 'default';
  private readonly limits: DecodeLimits;
  private closedBy: string | undefined;
  private readonly closeListeners = new Set<(why: string) => void>();

  /** @internal Use {@link openStore}. */
  constructor(name: string, db: IDBPDatabase, options: StoreOptions) {
    this.name = name;
    this.db = db;
    this.locks = options.locks ?? defaultLocks();
    this.durability = options.durability ?? 'strict';
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** Why the store is closed (`close()`, deleted by another tab, closed by the browser), or `undefined` while open. */
  get closed(): string | undefined {
    return this.closedBy;
  }

  /**
   * Reads every record of `doc`, checks each (checksum, decoding within the limits,
   * the type's `validateMerge`) and merges the sound ones; a bad record is skipped
   * whole and reported. Nothing is merged from a record before it has passed.
   * @param doc - the document name
   * @param type - its type (the module, as given to `Replica`)
   * @returns the merged state, how many records it holds, and the skipped records' errors
   * @throws StorageError if IndexedDB fails
   */
  async load<S>(doc: string, type: SyncAdapter<S>): Promise<Loaded<S>> {
    const { state, records, errors } = await this.read(doc, type);
    return { state, records, errors };
  }

  /**
   * Appends records to `doc`, all in one transaction: when the promise resolves they
   * are durable; when it rejects none was written.
   * @param doc - the document name
   * @param encoded - encoded deltas (or states) of the document's type
   * @throws StorageQuotaError if the disk is full; StorageError for any other failure,
   * or a record past the store's `limits.maxBytes`
   */
  async append(doc: string, encoded: readonly Uint8Array[]): Promise<void> {
    for (const bytes of encoded)
      if (bytes.length > this.limits.maxBytes) throw new StorageError(`a record of ${bytes.length} bytes is past the store's limit of ${this.limits.maxBytes}`, undefined);
    await this.write('append', (store) => {
      for (const bytes of encoded) quietly(store.add(record(doc, 'delta', bytes)));
    });
  }

  /**
   * Replaces the sound records of `doc` by one record of their merged state: reads
   * them (one transaction), merges, then writes the state and deletes exactly the
   * records read (a second transaction, atomic). Records appended meanwhile, by this
   * tab or another, are kept; an interruption at any point leaves either the old
   * records or the new one, never neither. Runs under the Web Lock
   * `convergent-indexeddb:<database>:<doc>` if it is free, and does nothing if another
   * tab holds it. Skipped (bad) records are kept.
   * @param doc - the document name
   * @param type - its type
   * @returns how many records were replaced by how many bytes
   * @throws StorageError if IndexedDB fails (nothing lost)
   */
  async compact<S>(doc: string, type: SyncAdapter<S>): Promise<Compacted> {
    const nothing: Compacted = { records: 0, bytes: 0 };
    return this.locks.request(`convergent-indexeddb:${this.name}:${doc}`, { ifAvailable: true }, async (lock) => {
      if (lock === null) return nothing;
      const read = await this.read(doc, type);
      if (read.keys.length < 2) return nothing;
      const bytes = type.encode(read.state);
      if (bytes.length > this.limits.maxBytes) return nothing;
      await this.write('compaction', (store) => {
        quietly(store.add(record(doc, 'state', bytes)));
        for (const key of read.keys) quietly(store.delete(key));
      });
      return { records: read.keys.length, bytes: bytes.length };
    });
  }

  /**
   * How much `doc` takes in the store (without IndexedDB's own overhead).
   * @param doc - the document name
   * @returns records and bytes
   */
  async usage(doc: string): Promise<Usage> {
    const values = await this.request('usage', () => this.db.getAllFromIndex(RECORDS, BY_DOC, doc));
    const bytes = values.reduce((sum: number, value: { bytes?: unknown }) => sum + (value.bytes instanceof Uint8Array ? value.bytes.length : 0), 0);
    return { records: values.length, bytes: bytes + values.length * (new TextEncoder().encode(doc).length + 4 + 5 + 4 + 8) };
  }

  /**
   * Deletes every record of the given documents, in one transaction (log-out of one
   * user's documents in a shared database; {@link deleteStore} removes a whole database).
   * @param docs - the document names
   * @throws StorageError if IndexedDB fails (then nothing was deleted)
   */
  async deleteDocuments(docs: readonly string[]): Promise<void> {
    await this.write('delete', async (store) => {
      for (const doc of docs) for (const key of await store.index(BY_DOC).getAllKeys(doc)) await store.delete(key);
    });
  }

  /**
   * Deletes records by key: the skipped records of {@link CorruptRecordError}s, once
   * the application has kept what it wants of them.
   * @param keys - record keys (`error.key`)
   * @throws StorageError if IndexedDB fails
   */
  async deleteRecords(keys: readonly number[]): Promise<void> {
    await this.write('delete', (store) => {
      for (const key of keys) quietly(store.delete(key));
    });
  }

  /**
   * Calls `listener` once when the store closes: `close()`, another tab deleting the
   * database ({@link deleteStore}), or the browser closing it.
   * @param listener - given why
   * @returns a function that removes the listener
   */
  onClose(listener: (why: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the connection; later calls fail with a {@link StorageError}. */
  close(): void {
    this.shut('closed');
  }

  /** @internal Called when the connection ends. */
  shut(why: string): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = why;
    this.db.close();
    for (const listener of [...this.closeListeners]) listener(why);
    this.closeListeners.clear();
  }

  private async read<S>(doc: string, type: SyncAdapter<S>): Promise<Read<S>> {
    const [keys, values] = await this.request('read', async () => {
      const index = this.db.transaction(RECORDS).store.index(BY_DOC);
      return Promise.all([index.getAllKeys(doc), index.getAll(doc)]);
    });
    const errors: CorruptRecordError[] = [];
    const sound: Array<{ key: number; state: S }> = [];
    keys.forEach((key, i) => {
      const why = problem(values[i], doc, this.limits.maxBytes);
      if (why !== undefined) return errors.push(new CorruptRecordError(doc, Number(key), why));
      try {
        sound.push({ key: Number(key), state: type.decode((values[i] as { bytes: Uint8Array }).bytes, this.limits) });
      } catch (error) {
        errors.push(new CorruptRecordError(doc, Number(key), `does not decode: ${(error as Error).message}`));
      }
    });
    let state = type.bottom;
    const merged: number[] = [];
    for (const { key, state: delta } of sound) {
      try {
        type.validateMerge?.(state, delta);
      } catch (error) {
        errors.push(new CorruptRecordError(doc, key, `refused by the type: ${(error as Error).message}`));
        continue;
      }
      state = type.merge(state, delta);
      merged.push(key);
    }
    return { state, records: merged.length, errors, keys: merged };
  }

  /**
   * A read-write transaction over the records: resolves once it committed, else
   * rejects with a typed error (the transaction's own error, such as a full disk).
   */
  private async write(what: string, work: (store: RecordStore) => Promise<void> | void): Promise<void> {
    await this.request(what, async () => {
      const tx = this.db.transaction(RECORDS, 'readwrite', { durability: this.durability });
      try {
        await work(tx.store);
      } catch (error) {
        try {
          tx.abort();
        } catch {
          // already aborted or finished
        }
        await tx.done.catch(() => {});
        throw error;
      }
      await tx.done;
    });
  }

  private async request<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.closedBy !== undefined) throw new StorageError(`${what}: the store is ${this.closedBy}`, undefined);
    try {
      return await run();
    } catch (error) {
      throw storageError(what, error);
    }
  }
}

/** A request's failure shows in its transaction's outcome: its own promise only needs a handler. */
const quietly = (request: Promise<unknown>): void => void request.catch(() => {});

type RecordStore = IDBPObjectStore<unknown, ['records'], 'records', 'readwrite'>;

/**
 * Opens (creating or upgrading) the database `name`. The connection closes itself
 * when another tab deletes the database ({@link deleteStore}), so log-out is never
 * blocked by an open tab.
 * @param name - the database name (one per app, or per user)
 * @param options - locks, durability, limits
 * @returns the store
 * @throws StoredFormatError if a newer version of this package wrote the database;
 * StorageError if IndexedDB is unavailable or fails
 *
 * @example
 * ```ts
 * import 'fake-indexeddb/auto'; // Node only: browsers have IndexedDB
 * import { openStore } from '@convergent/indexeddb';
 *
 * const store = await openStore('open-example', { durability: 'relaxed' });
 * store.name; // => 'open-example'
 * store.close();
 * store.closed; // => 'closed'
 * ```
 */
export async function openStore(name: string, options: StoreOptions = {}): Promise<DocumentStore> {
  let store: DocumentStore | undefined;
  let db: IDBPDatabase;
  try {
    db = await openDB(name, FORMAT, {
      upgrade: (database, from, _to, tx) => migrate(database, from, tx),
      blocking: () => store?.shut('deleted or upgraded by another tab'),
      terminated: () => store?.shut('closed by the browser'),
    });
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'VersionError') throw new StoredFormatError(await versionOf(name), FORMAT);
    throw storageError(`opening database '${name}'`, error);
  }
  store = new DocumentStore(name, db, options);
  return store;
}

/** The version of an existing database (for the error message). */
async function versionOf(name: string): Promise<number> {
  const databases = await indexedDB.databases?.().catch(() => []);
  return databases?.find((d) => d.name === name)?.version ?? FORMAT + 1;
}

/**
 * Deletes the database `name` and everything in it (log-out). Open stores of it, in
 * this tab or others, close themselves first (their persistence then reports a
 * {@link StorageError} on its next write).
 * @param name - the database name
 * @throws StorageError if IndexedDB fails
 *
 * @example
 * ```ts
 * import 'fake-indexeddb/auto'; // Node only: browsers have IndexedDB
 * import { deleteStore, openStore } from '@convergent/indexeddb';
 *
 * const store = await openStore('logout-example');
 * await deleteStore('logout-example');
 * store.closed; // => 'deleted or upgraded by another tab'
 * ```
 */
export async function deleteStore(name: string): Promise<void> {
  try {
    await deleteDB(name);
  } catch (error) {
    throw storageError(`deleting database '${name}'`, error);
  }
}
