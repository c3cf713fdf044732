import { replicaId, type Counts, type ReplicaId } from '@convergent/core';
import { decodePresence, isPresenceMessage } from '@convergent/presence';
import { decodeFrame, decodeMessage, DEFAULT_SYNC_LIMITS, encodeDataFrame, encodeMessage, Replica, type Sender, type StateMessage, type SyncAdapter, type SyncLimits, type SyncMessage, type Transport, type TransportHandlers } from '@convergent/sync';
import type { Counters } from './metrics.js';
import { timed } from './metrics.js';
import type { DocumentStore, Fanout } from './store.js';

/**
 * A document's type and sync mode, when `documents` returns more than the adapter.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import * as RGA from '@convergent/rga';
 * import type { DocumentSpec } from '@convergent/server';
 *
 * const text: DocumentSpec<RGA.RGA> = { type: RGA, deltaLog: true };
 * text.deltaLog; // => true
 * ```
 */
export interface DocumentSpec<S> {
  /** The document's type. */
  readonly type: SyncAdapter<S>;
  /** Whether its replicas keep a delta log (`ReplicaOptions.deltaLog`): must match the clients' setting. Default `false`. */
  readonly deltaLog?: boolean;
}

/** After a failed append, the wait before it is made again: doubling from the first to the most. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * Delta logs: how long answers to pass on are gathered before the server asks its
 * clients to sync, in ms. After a restart the clients come back over a few hundred ms,
 * each with an answer: one request per client per window, not per answer.
 */
const PROMPT_MS = 25;

/** Deltas from the store or from other server processes: already checked where they came in. */
const TRUSTED: Sender = { replicas: new Set(), trusted: true };

/** One client connection, as the document's replica sees it: a transport that routes answers by replica id. */
export class ClientLink implements Transport {
  #live = false;
  /** Replica ids this connection has used (answers addressed to them come here). */
  readonly ids = new Set<ReplicaId>();
  /** Whose events the client may send: those of every replica id bound to its identity (its other tabs' too). */
  readonly sender: Sender;

  constructor(
    readonly identity: string,
    readonly canWrite: boolean,
    /** Sends one frame to the client (the server checks its queue). */
    readonly deliver: (frame: Uint8Array) => void,
    identityIds: ReadonlySet<ReplicaId>,
  ) {
    this.sender = { replicas: identityIds, trusted: false };
  }

  /**
   * False while the replica attaches it, so that the replica does not send its own sync
   * request: the client's request gets an answer that asks back for what the server
   * lacks, so one exchange serves both ways.
   */
  get connected(): boolean {
    return this.#live;
  }

  set live(live: boolean) {
    this.#live = live;
  }

  send(bytes: Uint8Array, options?: { readonly to?: ReplicaId }): void {
    if (options?.to !== undefined && !this.ids.has(options.to)) return;
    this.deliver(encodeDataFrame(bytes));
  }

  listen(_handlers: TransportHandlers): () => void {
    // The document calls its replica's `receive` itself, to learn what was accepted.
    return () => {};
  }
}

/** What a document needs from the server. */
export interface DocumentContext {
  readonly store: DocumentStore;
  readonly fanout: Fanout | undefined;
  readonly counters: Counters;
  readonly syncLimits: Partial<SyncLimits> | undefined;
  /** Compact the stored deltas into the state after this many appends. */
  readonly compactEvery: number;
  readonly onError: (event: string, error: unknown, fields?: Record<string, unknown>) => void;
}

/**
 * One loaded document: the server's replica of it, its client connections, and the
 * serial queue of its store writes. Every accepted change is a sync message; that
 * message is what is stored, published and replayed, so a reload rebuilds the
 * replica's version vector as well as its state.
 */
export class LoadedDocument<S = unknown> {
  readonly links = new Set<ClientLink>();
  /** Store writes, one after the other: an ack follows the append of everything it covers. */
  #queue: Promise<void> = Promise.resolve();
  #sinceCompact = 0;
  /** A delta merged here was never stored (its append failed while closing): acknowledge nothing more. */
  #unstored = false;
  #unsubscribe: (() => Promise<void>) | undefined;
  #closed = false;
  #closing = false;
  /** A sync request to every client is due (delta logs: answers to pass on). */
  #prompting = false;
  readonly #limits: SyncLimits;

  private constructor(
    readonly name: string,
    readonly replica: Replica<S>,
    private readonly type: SyncAdapter<S>,
    private readonly context: DocumentContext,
  ) {
    this.#limits = { ...DEFAULT_SYNC_LIMITS, ...context.syncLimits };
  }

  /** Loads a document: subscribes to other processes' deltas first (so none is missed), then replays the store. */
  static async open<S>(name: string, spec: DocumentSpec<S>, context: DocumentContext): Promise<LoadedDocument<S>> {
    // The server never authors events, and a fresh id per load keeps a replayed
    // state from ever being taken for events of its own.
    const replica = new Replica<S>({ id: replicaId(), type: spec.type, doc: name, gossipMs: 0, deltaLog: spec.deltaLog ?? false, ...(context.syncLimits ? { limits: context.syncLimits } : {}) });
    const doc = new LoadedDocument(name, replica, spec.type, context);
    const early: Uint8Array[] = [];
    let ready = false;
    if (context.fanout) {
      doc.#unsubscribe = await doc.#subscribe(context.fanout, (bytes) => (ready ? doc.fromFanout(bytes) : early.push(bytes)));
    }
    try {
      const stored = await timed(context.counters, 'load', () => context.store.load(name));
      if (stored.state) doc.#trusted(stored.state);
      for (const delta of stored.deltas) {
        doc.#trusted(delta.bytes);
      }
      doc.#sinceCompact = stored.deltas.length;
    } catch (error) {
      await doc.#unsubscribe?.();
      replica.close();
      throw error;
    }
    ready = true;
    for (const bytes of early) doc.fromFanout(bytes);
    return doc;
  }

  /** Attaches a client connection. */
  attach(link: ClientLink): void {
    this.links.add(link);
    this.replica.connect(link);
    link.live = true;
  }

  detach(link: ClientLink): void {
    this.links.delete(link);
    this.replica.disconnect(link);
  }

  /**
   * A message from a client whose sender the server has checked (its replica id is the
   * connection's own, its access allows the kind). Throws what the replica throws
   * (UnauthorizedError, DecodeError, MergeRejectedError): nothing is then stored.
   */
  fromClient(link: ClientLink, message: SyncMessage, bytes: Uint8Array): void {
    // Closing: a change arriving now is not stored, so not acknowledged; the client sends it again.
    // Only durable peers acknowledge, and a client is not one.
    if (message.kind === 'ack' || this.#closing) return;
    const normalized = this.#normalize(message, bytes);
    const before = this.replica.seen;
    const fresh = this.#ingest(normalized, link, link.sender);
    if (message.kind !== 'state') return;
    const author = message.from;
    // What the ack may claim: everything of the author merged so far, all of it
    // appended before this write (the queue is serial) or by this very write.
    const merged = this.replica.causal ? (this.replica.seen.get(author) ?? 0) : 0;
    // The append starts now, not when the queue gets to it: appends of a burst run
    // together, and the store commits them together (one fsync for many). The queue
    // keeps acknowledgements, publication and forwarding in order, each after its append.
    const appended = fresh ? this.#append(normalized) : undefined;
    appended?.catch(() => {}); // handled by the step below, which may run later
    this.#enqueue(async () => {
      if (appended) await this.#stored(appended, normalized);
      if (this.#sinceCompact >= this.context.compactEvery) await this.#compact();
      if (this.#closed) return;
      if (merged > 0 && !this.#unstored) this.replica.acknowledge(author, merged);
      if (!fresh) return;
      await this.context.fanout?.publish(this.name, normalized);
      // Other clients get a delta only once it is stored and published: no client can
      // then hold another's delta that the store or the other processes lack, which a
      // client could never hand over (it may deliver only its own deltas).
      if (message.to !== undefined) this.#forwardAnswer(message, before, link);
      else for (const other of this.links) if (other !== link) other.send(bytes);
    });
  }

  /** A delta another server process accepted: merged and forwarded to local clients, never stored or republished here. */
  fromFanout(bytes: Uint8Array): void {
    if (this.#closed) return;
    try {
      const before = this.replica.seen;
      const fresh = this.#trusted(bytes);
      if (fresh === undefined) return;
      if (fresh.to === undefined) for (const link of this.links) link.send(bytes);
      else this.#forwardAnswer(fresh, before, undefined);
    } catch (error) {
      this.context.onError('fanout-rejected', error, { document: this.name });
    }
  }

  /**
   * A presence frame (`@convergent/presence`, a companion protocol: never stored) for this
   * process's connections but `except`: every one, or those of the replica it is
   * addressed to. From a client of this process (`except` its connection, the sender
   * checked), it also goes to the other processes; what came through the fan-out is
   * never published again.
   * @param frame - the relay frame as it came, its payload a presence message
   * @param to - the frame's addressee, if any
   * @param except - the connection it came from, if from a client here
   */
  presence(frame: Uint8Array, to: ReplicaId | undefined, except: ClientLink | undefined): void {
    this.context.counters.presenceForwarded++;
    let here = false;
    for (const link of this.links) {
      if (to !== undefined && !link.ids.has(to)) continue;
      here = to !== undefined;
      if (link !== except) link.deliver(frame);
    }
    // An answer for a connection of this process goes no further.
    if (except === undefined || here) return;
    this.context.fanout?.publishPresence?.(this.name, frame).catch((error: unknown) => this.context.onError('fanout-error', error, { document: this.name }));
  }

  /** A presence frame another process accepted: checked to be presence of this document, then delivered here. */
  #presenceFromFanout(bytes: Uint8Array): void {
    if (this.#closed) return;
    try {
      const frame = decodeFrame(bytes);
      if (frame.kind !== 'data' || !isPresenceMessage(frame.payload) || decodePresence(frame.payload).doc !== this.name) throw new TypeError('not presence of this document');
      this.presence(bytes, frame.to, undefined);
    } catch (error) {
      this.context.onError('fanout-rejected', error, { document: this.name });
    }
  }

  /** Subscribes to the deltas and (if the fan-out carries it) the presence of other processes; resolves to one unsubscribe function. */
  async #subscribe(fanout: Fanout, onDelta: (bytes: Uint8Array) => void): Promise<() => Promise<void>> {
    const stops = [await fanout.subscribe(this.name, onDelta)];
    try {
      if (fanout.subscribePresence) stops.push(await fanout.subscribePresence(this.name, (frame) => this.#presenceFromFanout(frame)));
    } catch (error) {
      await stops[0]?.();
      throw error;
    }
    return async () => {
      await Promise.all(stops.map((stop) => stop()));
    };
  }

  /** Resolves once every store write queued so far is done. */
  flush(): Promise<void> {
    return this.#queue;
  }

  /** Writes the state over the stored deltas (if any were appended since the last time), after the queued writes. */
  compact(): Promise<void> {
    this.#enqueue(() => this.#compact());
    return this.#queue;
  }

  /** Stops the replica and the fan-out subscription, after the queued writes; compacts first unless `discard`. */
  async close(discard = false): Promise<void> {
    this.#closing = true;
    if (!discard) await this.compact();
    else await this.#queue;
    this.#closed = true;
    this.replica.close();
    this.links.clear();
    await this.#unsubscribe?.();
  }

  /**
   * Sends an accepted answer on to this process's clients (but `except`, its sender) at
   * once, or nearly (delta logs). An answer (what a reconnecting client made offline, in reply to the server's
   * request) is addressed to the server's replica, so it cannot go on as it came; how it
   * goes depends on the sync mode:
   * - full states: as a broadcast delta (a state merges anywhere);
   * - causal types: as a broadcast delta depending on everything the server had seen
   *   before merging it (the answer holds only what the server lacked, so a client
   *   behind the server holds it back and asks for the gap rather than merge a hole);
   * - delta logs: a broadcast numbers one delta of its author and an answer claims a
   *   range, which a client behind the server would take as seen, so the server asks
   *   its clients (the sender too: it may lack others' answers) to sync instead, once
   *   for the answers of `PROMPT_MS`, and each one lacking something asks for it.
   * Each process does this for its own clients, from its own state, whether the
   * answer came from a client or through the fan-out; the clients republish nothing.
   */
  #forwardAnswer(message: StateMessage, before: Counts, except: ClientLink | undefined): void {
    if (this.replica.causal && !this.type.seen) {
      // One request per client for a burst of answers (reconnections after a restart):
      // a client then asks once for all it lacks.
      if (this.#prompting) return;
      this.#prompting = true;
      const prompt = setTimeout(() => {
        this.#prompting = false;
        if (!this.#closed) for (const link of this.links) this.replica.sync(link);
      }, PROMPT_MS);
      prompt.unref();
      return;
    }
    const others = [...this.links].filter((link) => link !== except);
    const deps = this.type.seen && before.size > 0 ? before : undefined;
    const bytes = encodeMessage({ ...message, to: undefined, ask: false, seq: undefined, deps, covers: undefined });
    for (const link of others) link.send(bytes);
  }

  /** Merges a stored or published change; returns it if it brought something new. */
  #trusted(bytes: Uint8Array): StateMessage | undefined {
    const message = decodeMessage(bytes, this.#limits);
    if (message.kind !== 'state') return undefined;
    return this.#ingest(this.#normalize(message, bytes), undefined, TRUSTED) ? message : undefined;
  }

  /** Merges a message; whether it brought something new (merged, or held back for its causes). */
  #ingest(bytes: Uint8Array, via: Transport | undefined, sender: Sender): boolean {
    const before = this.replica.state;
    const held = this.replica.stats.heldBack;
    this.replica.receive(bytes, via, sender);
    return this.replica.state !== before || this.replica.stats.heldBack > held;
  }

  /**
   * The server answers every sync request itself (so the request loses its addressee
   * and nonce), and merges every answer sent to any replica on the link (so the answer
   * is addressed to it, which also makes stored answers replayable by a later load).
   */
  #normalize(message: SyncMessage, bytes: Uint8Array): Uint8Array {
    if (message.kind === 'sync' && (message.to !== undefined || message.nonce !== undefined)) return encodeMessage({ ...message, to: undefined, nonce: undefined });
    if (message.kind === 'state' && message.to !== undefined && message.to !== this.replica.id) return encodeMessage({ ...message, to: this.replica.id });
    return bytes;
  }

  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(step).catch((error: unknown) => this.context.onError('store-error', error, { document: this.name }));
  }

  /**
   * Waits for a delta's append; a failed one is logged and made again until it is
   * stored. The replica already holds the delta, and an acknowledgement covers
   * everything of its author merged so far: none may go out before the delta is stored.
   * A closing document stops trying and acknowledges nothing more.
   */
  async #stored(appended: Promise<void>, bytes: Uint8Array): Promise<void> {
    for (let waitMs = RETRY_FIRST_MS; ; waitMs = Math.min(2 * waitMs, RETRY_MAX_MS)) {
      try {
        return await appended;
      } catch (error) {
        if (this.#closing) {
          this.#unstored = true;
          throw error;
        }
        this.context.onError('store-error', error, { document: this.name, retryInMs: waitMs });
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        appended = this.#append(bytes);
      }
    }
  }

  async #append(bytes: Uint8Array): Promise<void> {
    await timed(this.context.counters, 'append', () => this.context.store.append(this.name, bytes));
    this.#sinceCompact++;
  }

  /**
   * Writes the state, as an answer to itself carrying the version vector (a later load
   * replays it like any stored message), over the stored deltas it covers. It first
   * merges what the store holds: in a store shared by several processes, deltas others
   * appended may not have reached this one yet, and the state must cover every delta
   * it replaces.
   */
  async #compact(): Promise<void> {
    if (this.#sinceCompact === 0 || this.#closed) return;
    const stored = await timed(this.context.counters, 'load', () => this.context.store.load(this.name));
    if (stored.state) this.#trusted(stored.state);
    for (const delta of stored.deltas) this.#trusted(delta.bytes);
    const through = stored.deltas.at(-1)?.seq;
    // A held-back delta is stored but not in the state: compacting would lose it.
    if (through === undefined || this.replica.held > 0) return;
    const replica = this.replica;
    const payload = this.type.encode(replica.state);
    const bytes = encodeMessage({ kind: 'state', doc: this.name, from: replica.id, to: replica.id, ask: false, seq: undefined, deps: undefined, covers: replica.causal ? replica.seen : undefined, payload });
    if (bytes.length > this.#limits.maxMessageBytes) {
      this.context.onError('compact-skipped', new RangeError(`state of ${bytes.length} bytes is past syncLimits.maxMessageBytes`), { document: this.name });
      return;
    }
    await timed(this.context.counters, 'compact', () => this.context.store.compact(this.name, bytes, through));
    this.#sinceCompact = 0;
  }
}
