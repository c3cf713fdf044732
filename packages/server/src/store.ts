import { ConvergentError, MAX_REPLICA_ID_LENGTH } from '@convergent/core';

/**
 * One delta as a {@link DocumentStore} holds it: the bytes the server accepted, and the
 * sequence number the store gave it (increasing per document, never reused while the
 * document exists).
 *
 * @example
 * ```ts
 * import { MemoryStore, type StoredDelta } from '@convergent/server';
 *
 * const store = new MemoryStore();
 * await store.append('notes', new Uint8Array([1]));
 * const first: StoredDelta | undefined = (await store.load('notes')).deltas[0];
 * first?.seq; // => 1
 * ```
 */
export interface StoredDelta {
  /** The store's sequence number of this delta, increasing per document. */
  readonly seq: number;
  /** The delta's encoding, exactly as appended. */
  readonly bytes: Uint8Array;
}

/**
 * What a {@link DocumentStore} holds for one document: a compacted state (or none), and
 * the deltas appended after it, in append order. Merging the deltas into the state
 * gives the document.
 *
 * @example
 * ```ts
 * import { MemoryStore, type StoredDocument } from '@convergent/server';
 *
 * const empty: StoredDocument = await new MemoryStore().load('never-written');
 * empty.state; // => undefined
 * empty.deltas.length; // => 0
 * ```
 */
export interface StoredDocument {
  /** The compacted state's encoding, or `undefined` if the document was never compacted. */
  readonly state: Uint8Array | undefined;
  /** The deltas appended after {@link StoredDocument.state}, in order of `seq`. */
  readonly deltas: readonly StoredDelta[];
}

/**
 * Where the server keeps its documents: an append-only log of deltas per document,
 * compacted now and then into one state. The server appends every delta it accepts and
 * acknowledges it only once `append` has resolved, so a store must make an append
 * durable before resolving it. Implementations: {@link MemoryStore} (tests), and the
 * embedded and Redis stores of this package.
 *
 * Every method may reject; the server then refuses the delta (no acknowledgement) or
 * fails the load, and logs the error.
 *
 * @example
 * ```ts
 * import { MemoryStore, type DocumentStore } from '@convergent/server';
 *
 * const store: DocumentStore = new MemoryStore();
 * const seq = await store.append('notes', new Uint8Array([1, 2]));
 * await store.append('notes', new Uint8Array([3]));
 * await store.compact('notes', new Uint8Array([9]), seq); // the state covers the first delta
 * const doc = await store.load('notes');
 * doc.state; // => new Uint8Array([9])
 * doc.deltas.map((d) => d.bytes[0]); // => [3]
 * await store.bind('laptop-1', 'alice'); // => 'alice'
 * // The first identity keeps the id:
 * await store.bind('laptop-1', 'mallory'); // => 'alice'
 * await store.close();
 * ```
 */
export interface DocumentStore {
  /** The document's state and the deltas appended after it, in order. A document never written loads as no state and no deltas. */
  load(doc: string): Promise<StoredDocument>;
  /** Appends one delta; durable when the promise resolves. Returns its sequence number, increasing per document. */
  append(doc: string, delta: Uint8Array): Promise<number>;
  /**
   * Atomically replaces the state and every delta with `seq <= through` by `state`,
   * which must cover them (and the state it replaces); later deltas stay. Ignored if the
   * stored state already covers a later `through` (another process sharing the store
   * compacted further in the meantime).
   */
  compact(doc: string, state: Uint8Array, through: number): Promise<void>;
  /** Removes the document: its state and all its deltas. */
  delete(doc: string): Promise<void>;
  /** The names of the documents held (each once, in no particular order). */
  documents(): AsyncIterable<string>;
  /**
   * Binds the replica id `replica` to `identity` unless it is bound already, and
   * resolves the owner: `identity`, or the identity bound first. Atomic and durable: of
   * concurrent binds of one id (from any process sharing the store) one wins and all
   * resolve its identity, and a resolved binding survives a restart. A binding is never
   * removed. Rejects a malformed id or identity with a `RangeError` ({@link checkBinding}).
   */
  bind(replica: string, identity: string): Promise<string>;
  /**
   * The server unloaded `doc` (optional): the store may forget what it keeps in memory
   * for it, so that an unloaded document costs nothing here. The stored data stays.
   */
  release?(doc: string): void;
  /** Flushes and releases the store; later calls reject with {@link StoreClosedError}. */
  close(): Promise<void>;
}

/**
 * Carries deltas between server processes that serve the same documents (scale-out).
 * A process publishes only the deltas it accepted from its own clients, and whatever it
 * receives through `subscribe` it merges and forwards to its clients but never
 * publishes: every delta crosses the fan-out once, so there are no loops by
 * construction. Deltas are idempotent, so a duplicate delivery is harmless.
 *
 * @example
 * ```ts
 * import { MemoryFanout, type Fanout } from '@convergent/server';
 *
 * const hub = new MemoryFanout();
 * const a: Fanout = hub.process();
 * const b: Fanout = hub.process();
 * const got: number[] = [];
 * await b.subscribe('notes', (delta) => got.push(delta[0] ?? -1));
 * await a.subscribe('notes', () => got.push(-1)); // a never hears its own deltas
 * await a.publish('notes', new Uint8Array([7]));
 * got; // => [7]
 * ```
 */
export interface Fanout {
  /** Sends a delta this process accepted from one of its own clients to the other processes. */
  publish(doc: string, delta: Uint8Array): Promise<void>;
  /** Delivers the deltas other processes publish for `doc` (never this process's own); resolves to an unsubscribe function. */
  subscribe(doc: string, onDelta: (delta: Uint8Array) => void): Promise<() => Promise<void>>;
  /**
   * Optional, with {@link Fanout.subscribePresence}: sends a presence frame one of this
   * process's clients sent (its sender checked here) to the other processes, which pass
   * it to their clients of `doc` and neither store nor republish it. Without these two
   * methods presence stays within each process.
   */
  publishPresence?(doc: string, frame: Uint8Array): Promise<void>;
  /** Optional: delivers the presence frames other processes publish for `doc` (never this process's own); resolves to an unsubscribe function. */
  subscribePresence?(doc: string, onFrame: (frame: Uint8Array) => void): Promise<() => Promise<void>>;
  /**
   * Optional, with {@link Fanout.subscribeDeletes}: tells the other processes that this
   * one deleted `doc`, so that they close their connections to it and unload it too.
   * Without these two methods a deletion stays within the deleting process, and another
   * process holding the document writes it back.
   */
  publishDelete?(doc: string): Promise<void>;
  /** Optional: delivers the names of the documents other processes delete (never this process's own deletions), for every document; resolves to an unsubscribe function. */
  subscribeDeletes?(onDelete: (doc: string) => void): Promise<() => Promise<void>>;
  /** Stops every subscription and releases the connection. */
  close(): Promise<void>;
}

/**
 * Thrown by a {@link DocumentStore} (or {@link Fanout}) used after `close()`.
 *
 * @example
 * ```ts
 * import { MemoryStore, StoreClosedError } from '@convergent/server';
 *
 * const store = new MemoryStore();
 * await store.close();
 * let caught: unknown;
 * try {
 *   await store.load('notes');
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof StoreClosedError; // => true
 * ```
 */
export class StoreClosedError extends ConvergentError {}

/** Longest identity a store binds a replica id to, in UTF-8 bytes. */
export const MAX_IDENTITY_BYTES = 256;

/**
 * Checks the arguments of {@link DocumentStore.bind}: a replica id of 1 to 64
 * characters (`MAX_REPLICA_ID_LENGTH` of `@convergent/core`) and an identity of 1 to 256
 * UTF-8 bytes, both well-formed; else a `RangeError`, so that no store holds unbounded
 * keys. For implementers of stores.
 *
 * @example
 * ```ts
 * import { checkBinding } from '@convergent/server';
 *
 * checkBinding('laptop-1', 'alice'); // => undefined
 * let caught: unknown;
 * try {
 *   checkBinding('laptop-1', 'x'.repeat(300));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof RangeError; // => true
 * ```
 */
export function checkBinding(replica: string, identity: string): void {
  if (typeof replica !== 'string' || replica === '' || replica.length > MAX_REPLICA_ID_LENGTH || !replica.isWellFormed()) throw new RangeError('bind: a replica id is 1 to 64 well-formed characters');
  if (typeof identity !== 'string' || identity === '' || !identity.isWellFormed() || Buffer.byteLength(identity) > MAX_IDENTITY_BYTES) throw new RangeError(`bind: an identity is 1 to ${MAX_IDENTITY_BYTES} well-formed UTF-8 bytes`);
}

interface MemoryEntry {
  state: Uint8Array | undefined;
  /** The `through` of the stored state. */
  through: number;
  deltas: StoredDelta[];
  next: number;
}

/**
 * A {@link DocumentStore} in memory: it loses everything on restart. For tests, and as the
 * reference the other stores are checked against. It copies bytes in and out, so a
 * caller mutating a buffer later changes nothing stored.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@convergent/server';
 *
 * const store = new MemoryStore();
 * await store.append('a', new Uint8Array([1])); // => 1
 * await store.append('a', new Uint8Array([2])); // => 2
 * await store.append('b', new Uint8Array([3])); // => 1
 * const names: string[] = [];
 * for await (const name of store.documents()) names.push(name);
 * names.sort(); // => ['a', 'b']
 * await store.delete('a');
 * (await store.load('a')).deltas.length; // => 0
 * await store.bind('laptop-1', 'alice'); // => 'alice'
 * await store.bind('laptop-1', 'mallory'); // => 'alice'
 * ```
 */
export class MemoryStore implements DocumentStore {
  readonly #docs = new Map<string, MemoryEntry>();
  readonly #owners = new Map<string, string>();
  #closed = false;

  async load(doc: string): Promise<StoredDocument> {
    this.#open();
    const entry = this.#docs.get(doc);
    if (entry === undefined) return { state: undefined, deltas: [] };
    return {
      state: entry.state?.slice(),
      deltas: entry.deltas.map((d) => ({ seq: d.seq, bytes: d.bytes.slice() })),
    };
  }

  async append(doc: string, delta: Uint8Array): Promise<number> {
    this.#open();
    const entry = this.#entry(doc);
    const seq = entry.next++;
    entry.deltas.push({ seq, bytes: delta.slice() });
    return seq;
  }

  async compact(doc: string, state: Uint8Array, through: number): Promise<void> {
    this.#open();
    checkThrough(through);
    const entry = this.#entry(doc);
    if (through < entry.through) return;
    entry.state = state.slice();
    entry.through = through;
    entry.deltas = entry.deltas.filter((d) => d.seq > through);
    entry.next = Math.max(entry.next, through + 1);
  }

  async delete(doc: string): Promise<void> {
    this.#open();
    this.#docs.delete(doc);
  }

  async *documents(): AsyncIterable<string> {
    this.#open();
    yield* [...this.#docs.keys()];
  }

  async bind(replica: string, identity: string): Promise<string> {
    this.#open();
    checkBinding(replica, identity);
    const owner = this.#owners.get(replica);
    if (owner !== undefined) return owner;
    this.#owners.set(replica, identity);
    return identity;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #entry(doc: string): MemoryEntry {
    let entry = this.#docs.get(doc);
    if (entry === undefined) this.#docs.set(doc, (entry = { state: undefined, through: 0, deltas: [], next: 1 }));
    return entry;
  }

  #open(): void {
    if (this.#closed) throw new StoreClosedError('the store is closed');
  }
}

/**
 * Checks the `through` of {@link DocumentStore.compact}: a non-negative safe integer,
 * else a `RangeError` rather than a silently wrong filter. For implementers of stores.
 *
 * @example
 * ```ts
 * import { checkThrough } from '@convergent/server';
 *
 * checkThrough(3); // => undefined
 * let caught: unknown;
 * try {
 *   checkThrough(-1);
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof RangeError; // => true
 * ```
 */
export function checkThrough(through: number): void {
  if (!Number.isSafeInteger(through) || through < 0) throw new RangeError(`compact: through must be a non-negative integer, got ${through}`);
}
