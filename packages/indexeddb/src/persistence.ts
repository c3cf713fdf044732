import { mergeAll, replicaId, type ReplicaId } from '@convergent/core';
import { Replica, type Change, type ReplicaOptions, type SyncAdapter } from '@convergent/sync';
import { storageError, type CorruptRecordError, type StorageError } from './errors.js';
import type { DocumentStore } from './store.js';

// Errors kept for a first 'error' listener: the latest, so that a failing store nobody listens to stays bounded.
const MAX_UNHEARD = 16;

/**
 * Where a {@link Persistence} stands, given to `'durable'` listeners.
 *
 * @example
 * ```ts
 * import type { DurableStatus } from '@convergent/indexeddb';
 *
 * const saved: DurableStatus = { durable: 3, pending: 0 };
 * saved.pending === 0; // => true
 * ```
 */
export interface DurableStatus {
  /** Changes of the replica written so far (counted since the persistence began). */
  readonly durable: number;
  /** Changes not written yet: `0` means everything is saved. */
  readonly pending: number;
}

/**
 * Options of {@link persist}.
 *
 * @example
 * ```ts
 * import type { PersistOptions } from '@convergent/indexeddb';
 *
 * const options: PersistOptions = { compactEvery: 50 };
 * options.compactEvery; // => 50
 * ```
 */
export interface PersistOptions {
  /**
   * Compact in the background once this tab has written this many records (default
   * 100; `0` never, except by `compact()`) and, after a first compaction, records
   * adding up to half the compacted state's bytes: a compaction rewrites the whole
   * state, so a large document is rewritten at most once per half its size of new
   * deltas.
   */
  readonly compactEvery?: number;
}

/**
 * Binds a replica to a {@link DocumentStore}: every change of the replica (a local
 * update or a merged remote delta) is queued at once, in order, and written as one
 * record; while a write is in flight, further changes wait and go together in the
 * next transaction. `update()` stays synchronous; durability is reported by
 * {@link Persistence.whenDurable} and the `'durable'` event. A failed write (a full
 * disk: {@link StorageQuotaError}) loses nothing: the unwritten changes stay queued,
 * merged into one, and the next change or `whenDurable()` writes them again.
 * Make one with {@link persist}, or with {@link restore}.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import 'fake-indexeddb/auto'; // Node only: browsers have IndexedDB
 * import * as PNCounter from '@convergent/pn-counter';
 * import { openStore, restore } from '@convergent/indexeddb';
 *
 * const store = await openStore('persistence-example');
 * const { replica, persistence } = await restore({ store, type: PNCounter, doc: 'score' });
 * replica.update((state, id) => PNCounter.increment(state, id, 5));
 * persistence.pending; // => 1
 * await persistence.whenDurable();
 * persistence.pending; // => 0
 * await persistence.close();
 * store.close();
 * ```
 */
export class Persistence<S> {
  /** The replica written. */
  readonly replica: Replica<S>;
  /** The store written to. */
  readonly store: DocumentStore;
  private readonly type: SyncAdapter<S>;
  private readonly compactEvery: number;
  private queue: S[] = [];
  private changes = 0;
  private written = 0;
  private inFlight = false;
  private sinceCompaction = 0;
  private bytesSinceCompaction = 0;
  private stateBytes = 0;
  private compacting: Promise<void> | undefined;
  private failure: StorageError | undefined;
  private waiters: Array<{ upTo: number; resolve: () => void; reject: (error: StorageError) => void }> = [];
  private readonly durableListeners = new Set<(status: DurableStatus) => void>();
  private readonly errorListeners = new Set<(error: StorageError) => void>();
  /** Errors raised while no `'error'` listener was attached (e.g. by the compaction `restore` starts), for the first one. */
  private unheard: StorageError[] = [];
  private readonly unsubscribe: () => void;

  /** @internal Use {@link persist} or {@link restore}. */
  constructor(replica: Replica<S>, store: DocumentStore, type: SyncAdapter<S>, options: PersistOptions) {
    this.replica = replica;
    this.store = store;
    this.type = type;
    this.compactEvery = options.compactEvery ?? 100;
    this.unsubscribe = replica.subscribe((_state, change: Change<S>) => {
      this.queue.push(change.delta);
      this.changes++;
      this.write();
    });
  }

  /** Changes not yet durable: `0` means saved. */
  get pending(): number {
    return this.changes - this.written;
  }

  /** The error of the last write, if it failed and nothing has been written since. */
  get error(): StorageError | undefined {
    return this.failure;
  }

  /**
   * Resolves once every change made so far is durable; after a failed write, writes
   * the queued changes again first.
   * @returns a promise that rejects with a {@link StorageError} (a
   * {@link StorageQuotaError} for a full disk) if the write fails
   */
  whenDurable(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    const upTo = this.changes;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
    this.write();
    return done;
  }

  /**
   * Listens to durability and to failures.
   * @param event - `'durable'`: after each successful write; `'error'`: a failed write
   * or compaction (the changes stay queued). Errors raised while no `'error'` listener
   * was attached (such as a failure of the compaction `restore` starts before the app
   * listens) are handed to the first one, at once (the last 16).
   * @param listener - the callback
   * @returns a function that removes it
   */
  on(event: 'durable', listener: (status: DurableStatus) => void): () => void;
  on(event: 'error', listener: (error: StorageError) => void): () => void;
  on(event: 'durable' | 'error', listener: ((status: DurableStatus) => void) | ((error: StorageError) => void)): () => void {
    const listeners = (event === 'durable' ? this.durableListeners : this.errorListeners) as Set<typeof listener>;
    listeners.add(listener);
    if (event === 'error' && this.unheard.length > 0) {
      const unheard = this.unheard;
      this.unheard = [];
      for (const error of unheard) (listener as (error: StorageError) => void)(error);
    }
    return () => listeners.delete(listener);
  }

  /**
   * Compacts the document's records into one state now (in the background it runs
   * after every `compactEvery` records this tab wrote, and after a restore from more
   * than one record). Does nothing while another tab compacts the document.
   * @returns a promise that settles when done; failures also go to `'error'` listeners
   */
  compact(): Promise<void> {
    this.compacting ??= this.store
      .compact(this.replica.doc, this.type)
      .then(
        (done) => {
          if (done.records > 0) this.stateBytes = done.bytes;
        },
        (error: unknown) => this.emitError(storageError('compaction', error)),
      )
      .finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  /**
   * Stops following the replica and waits for the queued changes to be written.
   * @returns a promise that rejects like {@link Persistence.whenDurable}
   */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.whenDurable();
    await this.compacting;
  }

  private write(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue;
    const upTo = this.changes;
    this.queue = [];
    this.inFlight = true;
    let encoded: Uint8Array[];
    try {
      encoded = batch.map((delta) => this.type.encode(delta));
    } catch (error) {
      return this.failed(batch, storageError('encoding', error));
    }
    this.store.append(this.replica.doc, encoded).then(
      () => this.wrote(encoded, upTo),
      (error: unknown) => this.failed(batch, storageError('write', error)),
    );
  }

  private wrote(records: readonly Uint8Array[], upTo: number): void {
    this.inFlight = false;
    this.written = upTo;
    this.failure = undefined;
    this.sinceCompaction += records.length;
    for (const bytes of records) this.bytesSinceCompaction += bytes.length;
    const status: DurableStatus = { durable: this.written, pending: this.pending };
    this.waiters = this.waiters.filter((w) => (w.upTo <= upTo ? (w.resolve(), false) : true));
    for (const listener of [...this.durableListeners]) listener(status);
    if (this.compactEvery > 0 && this.sinceCompaction >= this.compactEvery && 2 * this.bytesSinceCompaction >= this.stateBytes) {
      this.sinceCompaction = 0;
      this.bytesSinceCompaction = 0;
      setTimeout(() => void this.compact(), 0);
    }
    this.write();
  }

  /** Keeps the batch, merged into one delta ahead of later changes, for the next try. */
  private failed(batch: S[], error: StorageError): void {
    this.inFlight = false;
    this.queue = [mergeAll(this.type, [...batch, ...this.queue])];
    this.failure = error;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
    this.emitError(error);
  }

  private emitError(error: StorageError): void {
    if (this.errorListeners.size === 0) this.unheard = [...this.unheard, error].slice(-MAX_UNHEARD);
    for (const listener of [...this.errorListeners]) listener(error);
  }
}

/**
 * Binds an existing replica to a store: from now on every change is written. The
 * replica must have started from what the store holds (see {@link restore}, which
 * does both), or from nothing.
 * @param replica - the replica
 * @param store - the store
 * @param type - the replica's type
 * @param options - compaction
 * @returns the binding
 *
 * @example
 * ```ts
 * import 'fake-indexeddb/auto'; // Node only: browsers have IndexedDB
 * import { replicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import { Replica } from '@convergent/sync';
 * import { openStore, persist } from '@convergent/indexeddb';
 *
 * const store = await openStore('persist-example');
 * const likes = new Replica({ id: replicaId(), type: GCounter, doc: 'likes', gossipMs: 0 });
 * const persistence = persist(likes, store, GCounter);
 * likes.update((state, id) => GCounter.increment(state, id));
 * await persistence.whenDurable();
 * GCounter.value((await store.load('likes', GCounter)).state); // => 1
 * store.close();
 * ```
 */
export function persist<S>(replica: Replica<S>, store: DocumentStore, type: SyncAdapter<S>, options: PersistOptions = {}): Persistence<S> {
  return new Persistence(replica, store, type, options);
}

/**
 * Options of {@link restore}: those of a `Replica` (without `initial`), the store, and
 * those of {@link persist}.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import * as GCounter from '@convergent/g-counter';
 * import type { DocumentStore, RestoreOptions } from '@convergent/indexeddb';
 *
 * const optionsFor = (store: DocumentStore): RestoreOptions<GCounter.GCounter> => ({ store, type: GCounter, doc: 'likes', compactEvery: 20 });
 * typeof optionsFor; // => 'function'
 * ```
 */
export interface RestoreOptions<S> extends Omit<ReplicaOptions<S>, 'id' | 'initial'>, PersistOptions {
  /** The store to read and write. */
  readonly store: DocumentStore;
  /** The replica's id: default a fresh `replicaId()`. Never one used before: see {@link restore}. */
  readonly id?: ReplicaId;
  /**
   * The replica's `onError`: called with every message a transport delivered that was
   * rejected (a `DecodeError`, `ProtocolVersionError`, `UnauthorizedError`,
   * `MergeRejectedError` or `ReplicaIdReuseError`), the state left as it was. Storage
   * failures go to the persistence's `'error'` listeners instead. Default: ignore.
   */
  readonly onError?: (error: unknown) => void;
}

/**
 * A restored replica, its persistence, and the records that could not be loaded.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import 'fake-indexeddb/auto'; // Node only: browsers have IndexedDB
 * import * as GCounter from '@convergent/g-counter';
 * import { openStore, restore, type Restored } from '@convergent/indexeddb';
 *
 * const store = await openStore('restored-example');
 * const restored: Restored<GCounter.GCounter> = await restore({ store, type: GCounter, doc: 'likes' });
 * restored.errors.length; // => 0
 * store.close();
 * ```
 */
export interface Restored<S> {
  /** The replica, holding everything stored, under a fresh id. */
  readonly replica: Replica<S>;
  /** Its binding to the store: every change from now on is written. */
  readonly persistence: Persistence<S>;
  /** The records skipped (corrupt or foreign), each a {@link CorruptRecordError}. */
  readonly errors: readonly CorruptRecordError[];
}

/**
 * Loads a document from a store and continues it in a new replica, bound to the
 * store. The replica gets a fresh `replicaId()`: the sync package refuses (with
 * `ReplicaIdReuseError`) a starting state holding events of the replica's own id, and
 * a fresh id per load means a reload never forks the document and two tabs never
 * share an id. Bad records are skipped and returned in `errors`; when the document
 * was stored in more than one record, compaction starts in the background.
 * @param options - the store, the replica's options (type, doc, deltaLog, …) and compaction
 * @returns the replica, its persistence and the skipped records
 * @throws StorageError if IndexedDB fails
 *
 * @example
 * ```ts
 * import 'fake-indexeddb/auto'; // Node only: browsers have IndexedDB
 * import * as RGA from '@convergent/rga';
 * import { openStore, restore } from '@convergent/indexeddb';
 *
 * const store = await openStore('restore-example');
 * const first = await restore({ store, type: RGA, doc: 'notes', deltaLog: true });
 * first.replica.update((text, id) => RGA.insertText(text, id, 0, 'offline edit'));
 * await first.persistence.close();
 * // A reload: the text is back, under a new replica id.
 * const again = await restore({ store, type: RGA, doc: 'notes', deltaLog: true });
 * RGA.text(again.replica.state); // => 'offline edit'
 * again.replica.id === first.replica.id; // => false
 * store.close();
 * ```
 */
export async function restore<S>(options: RestoreOptions<S>): Promise<Restored<S>> {
  const { store, compactEvery, id, ...replicaOptions } = options;
  const doc = options.doc ?? '';
  const loaded = await store.load(doc, options.type);
  const replica = new Replica({ ...replicaOptions, id: id ?? replicaId(), initial: loaded.state });
  const persistence = persist(replica, store, options.type, compactEvery === undefined ? {} : { compactEvery });
  if (loaded.records > 1) void persistence.compact();
  return { replica, persistence, errors: loaded.errors };
}
