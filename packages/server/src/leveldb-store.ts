import { DecodeError } from '@convergent/core';
import { ClassicLevel } from 'classic-level';
import { checkBinding, checkThrough, StoreClosedError, type DocumentStore, type StoredDelta, type StoredDocument } from './store.js';

// Key layout, one LevelDB for every document. The document name is length-prefixed, so
// no name's keys are a prefix range of another's:
//   m!<len>:<doc>           meta: 16 bytes, the last sequence number at the last compaction and the `through`
//                           of the state (-1: none); written by a document's first append, so documents() lists it
//   s!<len>:<doc>           the compacted state
//   l!<len>:<doc>!<seq hex> one delta; 14 hex digits hold every safe integer and sort numerically
//   b!<replica id>          the identity the replica id is bound to (UTF-8)
const name = (doc: string): string => `${doc.length}:${doc}`;
const metaKey = (doc: string): string => `m!${name(doc)}`;
const stateKey = (doc: string): string => `s!${name(doc)}`;
const deltaPrefix = (doc: string): string => `l!${name(doc)}!`;
const deltaKey = (doc: string, seq: number): string => deltaPrefix(doc) + seq.toString(16).padStart(14, '0');
// '"' is the character after '!': the upper bound of a prefix range.
const afterDeltas = (doc: string): string => `l!${name(doc)}"`;
const bindingKey = (replica: string): string => `b!${replica}`;
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Meta {
  readonly last: number;
  readonly through: number;
}

const encodeMeta = (meta: Meta): Uint8Array => {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, meta.last);
  view.setFloat64(8, meta.through);
  return bytes;
};

/** A typed error for bytes this store did not write (a damaged or foreign database). */
const corrupt = (what: string): DecodeError => new DecodeError(`LevelDbStore: damaged database, bad ${what}`, { offset: 0 });

const decodeMeta = (bytes: Uint8Array | undefined): Meta | undefined => {
  if (bytes === undefined) return undefined;
  if (bytes.length !== 16) throw corrupt('meta length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const last = view.getFloat64(0);
  const through = view.getFloat64(8);
  if (!Number.isSafeInteger(last) || last < 0 || !Number.isSafeInteger(through) || through < -1 || through > last) {
    throw corrupt('meta values');
  }
  return { last, through };
};

const seqOf = (doc: string, key: string): number => {
  const seq = Number.parseInt(key.slice(deltaPrefix(doc).length), 16);
  if (!Number.isSafeInteger(seq)) throw corrupt('delta key');
  return seq;
};

/**
 * The embedded default {@link DocumentStore}: LevelDB in a folder, through
 * [classic-level](https://github.com/Level/classic-level), which ships prebuilt N-API
 * binaries (one build for every Node version, nothing to compile). Every write is
 * `sync: true`: LevelDB fsyncs its log before the promise resolves, so an acknowledged
 * delta survives `kill -9` and a power cut. Appends run concurrently (LevelDB commits a
 * burst with one fsync); compactions and deletions of one document run one at a time,
 * after the appends under way. LevelDB's lock file keeps a second process out of the folder.
 * Binds of one replica id run one at a time, so the first one wins.
 *
 * Compaction keeps the newest state: a `compact` whose `through` is lower than the
 * stored state's is ignored (it would put back an older state after the deltas it lacks
 * were removed), and a `through` beyond the last sequence number is clamped to it.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { LevelDbStore } from '@convergent/server';
 *
 * const folder = mkdtempSync(join(tmpdir(), 'convergent-'));
 * const store = await LevelDbStore.open(folder);
 * await store.append('notes', new Uint8Array([1])); // => 1
 * await store.bind('laptop-1', 'alice'); // => 'alice'
 * await store.close();
 * const again = await LevelDbStore.open(folder);
 * (await again.load('notes')).deltas.length; // => 1
 * await again.bind('laptop-1', 'mallory'); // => 'alice'
 * await again.close();
 * ```
 */
export class LevelDbStore implements DocumentStore {
  readonly #db: ClassicLevel<string, Uint8Array>;
  /** The tail of each document's queue of compactions and deletions: one at a time per document. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** The tail of each replica id's queue of binds. */
  readonly #binding = new Map<string, Promise<unknown>>();
  /** Each document's last sequence number given, once read, until {@link LevelDbStore.release} (about 80 bytes per document). */
  readonly #last = new Map<string, number>();
  readonly #reading = new Map<string, Promise<void>>();
  /** Documents whose meta key exists. */
  readonly #listed = new Set<string>();
  readonly #appending = new Set<Promise<number>>();
  /** Appends under way, per document. */
  readonly #appendsOf = new Map<string, number>();
  #closed = false;

  private constructor(db: ClassicLevel<string, Uint8Array>) {
    this.#db = db;
  }

  /**
   * Opens (creating if needed) the LevelDB database in `folder`. Rejects if another
   * process holds it.
   *
   * @example
   * ```ts
   * import { mkdtempSync } from 'node:fs';
   * import { tmpdir } from 'node:os';
   * import { join } from 'node:path';
   * import { LevelDbStore } from '@convergent/server';
   *
   * const store = await LevelDbStore.open(mkdtempSync(join(tmpdir(), 'convergent-')));
   * (await store.load('notes')).state; // => undefined
   * await store.close();
   * ```
   */
  static async open(folder: string): Promise<LevelDbStore> {
    const db = new ClassicLevel<string, Uint8Array>(folder, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    return new LevelDbStore(db);
  }

  async load(doc: string): Promise<StoredDocument> {
    this.#open();
    // A snapshot: the state and the deltas are read as of one moment, even while a compaction runs.
    const snapshot = this.#db.snapshot();
    try {
      const state = await this.#db.get(stateKey(doc), { snapshot });
      const deltas: StoredDelta[] = [];
      for await (const [key, bytes] of this.#db.iterator({ gt: deltaPrefix(doc), lt: afterDeltas(doc), snapshot })) {
        deltas.push({ seq: seqOf(doc, key), bytes: new Uint8Array(bytes) });
      }
      return { state: state === undefined ? undefined : new Uint8Array(state), deltas };
    } finally {
      await snapshot.close();
    }
  }

  append(doc: string, delta: Uint8Array): Promise<number> {
    try {
      this.#open();
    } catch (error) {
      return Promise.reject(error);
    }
    // Not queued: each append takes the next number at once and writes one key, so the
    // appends of a burst run together and LevelDB commits them with one fsync.
    this.#appendsOf.set(doc, (this.#appendsOf.get(doc) ?? 0) + 1);
    const appending = (async () => {
      await this.#read(doc);
      const seq = (this.#last.get(doc) ?? 0) + 1;
      this.#last.set(doc, seq);
      const writes: Array<{ type: 'put'; key: string; value: Uint8Array }> = [{ type: 'put', key: deltaKey(doc, seq), value: delta.slice() }];
      if (!this.#listed.has(doc)) {
        // The document's first write: its meta key lists it in documents().
        this.#listed.add(doc);
        writes.push({ type: 'put', key: metaKey(doc), value: encodeMeta({ last: 0, through: -1 }) });
      }
      await this.#db.batch(writes, { sync: true });
      return seq;
    })();
    this.#appending.add(appending);
    const done = () => {
      this.#appending.delete(appending);
      const left = (this.#appendsOf.get(doc) ?? 1) - 1;
      if (left === 0) this.#appendsOf.delete(doc);
      else this.#appendsOf.set(doc, left);
    };
    void appending.then(done, done);
    return appending;
  }

  compact(doc: string, state: Uint8Array, through: number): Promise<void> {
    return this.#queue(this.#queues, doc, async () => {
      checkThrough(through);
      this.#listed.add(doc); // from now on no append writes the meta key
      await this.#settled();
      await this.#read(doc);
      const last = this.#last.get(doc) ?? 0;
      const stored = decodeMeta(await this.#db.get(metaKey(doc)))?.through ?? -1;
      const covered = Math.min(through, last);
      if (covered < stored) return; // an older compaction arriving late
      const batch = this.#db.batch();
      for await (const key of this.#db.keys({ gt: deltaPrefix(doc), lte: deltaKey(doc, covered) })) batch.del(key);
      batch.put(stateKey(doc), state.slice());
      batch.put(metaKey(doc), encodeMeta({ last, through: covered }));
      await batch.write({ sync: true });
    });
  }

  delete(doc: string): Promise<void> {
    return this.#queue(this.#queues, doc, async () => {
      await this.#settled();
      const batch = this.#db.batch();
      for await (const key of this.#db.keys({ gt: deltaPrefix(doc), lt: afterDeltas(doc) })) batch.del(key);
      batch.del(stateKey(doc));
      batch.del(metaKey(doc));
      await batch.write({ sync: true });
      this.#last.delete(doc);
      this.#listed.delete(doc);
    });
  }

  async *documents(): AsyncIterable<string> {
    this.#open();
    for await (const key of this.#db.keys({ gt: 'm!', lt: 'm"' })) {
      const colon = key.indexOf(':');
      yield key.slice(colon + 1);
    }
  }

  bind(replica: string, identity: string): Promise<string> {
    return this.#queue(this.#binding, replica, async () => {
      checkBinding(replica, identity);
      const key = bindingKey(replica);
      const stored = await this.#db.get(key);
      if (stored !== undefined) {
        try {
          return utf8.decode(stored);
        } catch {
          throw corrupt('binding');
        }
      }
      await this.#db.put(key, new TextEncoder().encode(identity), { sync: true });
      return identity;
    });
  }

  /**
   * Forgets the document's cached sequence number (read again by its next append), once
   * its queued compaction or deletion is done, unless another write of it is under way.
   */
  release(doc: string): void {
    const forget = () => {
      if (this.#appendsOf.has(doc) || this.#queues.has(doc) || this.#reading.has(doc)) return;
      this.#last.delete(doc);
      this.#listed.delete(doc);
    };
    // Runs after the queue's own clean-up, which was chained on the same tail first.
    const queued = this.#queues.get(doc);
    if (queued === undefined) forget();
    else void queued.then(forget);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#settled();
    await Promise.allSettled([...this.#queues.values(), ...this.#binding.values()]);
    await this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new StoreClosedError('the store is closed');
  }

  /** Waits for the appends under way (a compaction or a deletion then sees their keys). */
  async #settled(): Promise<void> {
    await Promise.allSettled([...this.#appending]);
  }

  /** Reads a document's last sequence number once: the highest of its meta and of its delta keys. */
  #read(doc: string): Promise<void> {
    if (this.#last.has(doc)) return Promise.resolve();
    let reading = this.#reading.get(doc);
    if (reading === undefined) {
      reading = (async () => {
        const meta = decodeMeta(await this.#db.get(metaKey(doc)));
        let last = meta?.last ?? 0;
        for await (const key of this.#db.keys({ gt: deltaPrefix(doc), lt: afterDeltas(doc), reverse: true, limit: 1 })) last = Math.max(last, seqOf(doc, key));
        if (meta !== undefined) this.#listed.add(doc);
        if (!this.#last.has(doc)) this.#last.set(doc, last);
      })().finally(() => this.#reading.delete(doc));
      this.#reading.set(doc, reading);
    }
    return reading;
  }

  /** Runs `write` after the earlier writes of the same key in `queues`; the queue entry goes once it is the last. */
  #queue<T>(queues: Map<string, Promise<unknown>>, key: string, write: () => Promise<T>): Promise<T> {
    try {
      this.#open();
    } catch (error) {
      return Promise.reject(error);
    }
    const previous = queues.get(key) ?? Promise.resolve();
    const result = previous.then(write);
    const tail = result.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return result;
  }
}
