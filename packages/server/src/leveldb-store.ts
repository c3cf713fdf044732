import { DecodeError } from '@convergent/core';
import { ClassicLevel } from 'classic-level';
import { checkThrough, StoreClosedError, type DocumentStore, type StoredDelta, type StoredDocument } from './store.js';

// Key layout, one LevelDB for every document. The document name is length-prefixed, so
// no name's keys are a prefix range of another's:
//   m!<len>:<doc>           meta: 16 bytes, the last sequence number given and the `through` of the state (-1: none)
//   s!<len>:<doc>           the compacted state
//   l!<len>:<doc>!<seq hex> one delta; 14 hex digits hold every safe integer and sort numerically
const name = (doc: string): string => `${doc.length}:${doc}`;
const metaKey = (doc: string): string => `m!${name(doc)}`;
const stateKey = (doc: string): string => `s!${name(doc)}`;
const deltaPrefix = (doc: string): string => `l!${name(doc)}!`;
const deltaKey = (doc: string, seq: number): string => deltaPrefix(doc) + seq.toString(16).padStart(14, '0');
// '"' is the character after '!': the upper bound of a prefix range.
const afterDeltas = (doc: string): string => `l!${name(doc)}"`;

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
 * delta survives `kill -9` and a power cut. Writes to one document are serialized in
 * this process; LevelDB's lock file keeps a second process out of the folder.
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
 * await store.close();
 * const again = await LevelDbStore.open(folder);
 * (await again.load('notes')).deltas.length; // => 1
 * await again.close();
 * ```
 */
export class LevelDbStore implements DocumentStore {
  readonly #db: ClassicLevel<string, Uint8Array>;
  /** The tail of each document's write queue: one write at a time per document. */
  readonly #queues = new Map<string, Promise<unknown>>();
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
    return this.#queue(doc, async () => {
      const meta = decodeMeta(await this.#db.get(metaKey(doc)));
      const seq = (meta?.last ?? 0) + 1;
      await this.#db.batch(
        [
          { type: 'put', key: deltaKey(doc, seq), value: delta.slice() },
          { type: 'put', key: metaKey(doc), value: encodeMeta({ last: seq, through: meta?.through ?? -1 }) },
        ],
        { sync: true },
      );
      return seq;
    });
  }

  compact(doc: string, state: Uint8Array, through: number): Promise<void> {
    return this.#queue(doc, async () => {
      checkThrough(through);
      const meta = decodeMeta(await this.#db.get(metaKey(doc))) ?? { last: 0, through: -1 };
      const covered = Math.min(through, meta.last);
      if (covered < meta.through) return; // an older compaction arriving late
      const batch = this.#db.batch();
      for await (const key of this.#db.keys({ gt: deltaPrefix(doc), lte: deltaKey(doc, covered) })) batch.del(key);
      batch.put(stateKey(doc), state.slice());
      batch.put(metaKey(doc), encodeMeta({ last: meta.last, through: covered }));
      await batch.write({ sync: true });
    });
  }

  delete(doc: string): Promise<void> {
    return this.#queue(doc, async () => {
      const batch = this.#db.batch();
      for await (const key of this.#db.keys({ gt: deltaPrefix(doc), lt: afterDeltas(doc) })) batch.del(key);
      batch.del(stateKey(doc));
      batch.del(metaKey(doc));
      await batch.write({ sync: true });
    });
  }

  async *documents(): AsyncIterable<string> {
    this.#open();
    for await (const key of this.#db.keys({ gt: 'm!', lt: 'm"' })) {
      const colon = key.indexOf(':');
      yield key.slice(colon + 1);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#queues.values()]);
    await this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new StoreClosedError('the store is closed');
  }

  /** Runs `write` after the document's earlier writes; the queue entry goes once it is the last. */
  #queue<T>(doc: string, write: () => Promise<T>): Promise<T> {
    try {
      this.#open();
    } catch (error) {
      return Promise.reject(error);
    }
    const previous = this.#queues.get(doc) ?? Promise.resolve();
    const result = previous.then(write);
    const tail = result.catch(() => undefined);
    this.#queues.set(doc, tail);
    void tail.then(() => {
      if (this.#queues.get(doc) === tail) this.#queues.delete(doc);
    });
    return result;
  }
}
