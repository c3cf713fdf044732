import { asReplicaId, countsLeq, DecodeError, fnv1a32, mergeCounts, writeCounts, Writer, type Counts, type DecodeLimits, type ReplicaId } from '@convergent/core';
import type { SyncAdapter } from './adapter.js';
import { isCompanionMessage } from './companion.js';
import { ReplicaIdReuseError, UnauthorizedError } from './errors.js';
import { decodeMessage, DEFAULT_SYNC_LIMITS, encodeMessage, type StateMessage, type SyncLimits, type SyncMessage, type SyncRequest } from './message.js';
import type { Sender, Transport } from './transport.js';

/**
 * How to build a {@link Replica}.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import type { ReplicaOptions } from '@convergent/sync';
 *
 * const options: ReplicaOptions<GCounter.GCounter> = { id: asReplicaId('phone'), type: GCounter, doc: 'likes', gossipMs: 2000 };
 * options.doc; // => 'likes'
 * ```
 */
export interface ReplicaOptions<S> {
  /**
   * This replica's id: unique per replica and session (`replicaId()` from core makes
   * one). A replica restored from storage continues under a fresh id: the constructor
   * refuses an `initial` state holding events created under `id`.
   */
  readonly id: ReplicaId;
  /** The type: its lattice, codec and optional causal and trust capabilities. */
  readonly type: SyncAdapter<S>;
  /** Document name: lets several documents share one transport (default `''`). */
  readonly doc?: string;
  /** Starting state, e.g. loaded from storage (default the type's `bottom`). */
  readonly initial?: S;
  /**
   * Keep a log of recent deltas, numbered per replica, so that a type without
   * `seen`/`missing` still sends a reconnecting peer only the deltas it lacks (the
   * delta-interval anti-entropy of Almeida et al.), and still gets causal delivery.
   * Bounded by `limits.maxLogBytes`; a peer further behind than the log gets the
   * full state. Ignored for causal adapters. Every replica of a document should use
   * the same setting. Default `false`: full-state sync.
   */
  readonly deltaLog?: boolean;
  /** Size limits (default {@link DEFAULT_SYNC_LIMITS}). */
  readonly limits?: Partial<SyncLimits>;
  /**
   * Mean milliseconds between two gossip rounds ({@link Replica.gossip}), each delay
   * drawn uniformly from half to one and a half times it; `0` turns the timer off (the
   * application or a test then calls `gossip()` itself). Default 1,000: a lost message
   * waits about a round to be repaired, and a quiet room costs one small message per
   * replica and second (see the guide's cost model). The timer runs
   * while a transport is connected, never keeps Node alive, and stops on `close()`.
   */
  readonly gossipMs?: number;
  /** Source of randomness for gossip peers and delays, in [0, 1) (default `Math.random`); tests pass a seeded one. */
  readonly random?: () => number;
  /**
   * Called with every message a transport delivered that was rejected, the state
   * left as it was: a `DecodeError` (a {@link ProtocolVersionError} for a peer on
   * another format version), an {@link UnauthorizedError}, a `MergeRejectedError`
   * from the type's `validateMerge`, a message from another replica using this id
   * ({@link ReplicaIdReuseError}); also a sync request that could not be answered
   * (size limits) and exceptions thrown by listeners. Default: ignore.
   */
  readonly onError?: (error: unknown) => void;
}

/**
 * What changed, as told to {@link Replica.subscribe} listeners with the new state.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import { Replica, type Change } from '@convergent/sync';
 *
 * const phone = new Replica({ id: asReplicaId('phone'), type: GCounter, gossipMs: 0 });
 * const changes: Array<Change<GCounter.GCounter>> = [];
 * phone.subscribe((_state, change) => changes.push(change));
 * phone.update((state, id) => GCounter.increment(state, id, 3));
 * changes[0]!.origin; // => 'local'
 * GCounter.value(changes[0]!.delta); // => 3
 * ```
 */
export interface Change<S> {
  /** The delta merged (for an answer from a peer, what it sent: possibly a whole state). */
  readonly delta: S;
  /** `'local'` for {@link Replica.update} and {@link Replica.apply}, `'remote'` for a merge of a peer's message. */
  readonly origin: 'local' | 'remote';
  /** The replica whose message it was (this replica's id for a local change). */
  readonly from: ReplicaId;
}

/**
 * What a {@link Replica} has done so far.
 *
 * @example
 * ```ts
 * import type { ReplicaStats } from '@convergent/sync';
 *
 * const stats: ReplicaStats = { sent: 0, bytesSent: 0, received: 0, bytesReceived: 0, rejected: 0, heldBack: 0 };
 * stats.rejected; // => 0
 * ```
 */
export interface ReplicaStats {
  /** Messages sent (one per transport). */
  sent: number;
  /** Bytes sent. */
  bytesSent: number;
  /** Messages received and accepted (including ignored ones for other documents or replicas). */
  received: number;
  /** Bytes of those messages. */
  bytesReceived: number;
  /** Messages rejected: malformed, oversized, unauthorized or refused by the type. */
  rejected: number;
  /** Deltas held back because they arrived before their causes. */
  heldBack: number;
}

interface Pending<S> {
  readonly from: ReplicaId;
  /** What must have been seen first (the compact deps plus the author's previous delta). */
  readonly needs: Counts;
  /** Delta logs: the author's sequence number. */
  readonly seq: number | undefined;
  readonly state: S;
  readonly payload: Uint8Array;
}

interface LogEntry {
  /** The events the delta brings are at most this, per replica it advanced (pairs: lighter than a Map). */
  readonly upTo: ReadonlyArray<readonly [ReplicaId, number]>;
  /** The delta, encoded: the log's size bound is on bytes actually held. */
  readonly payload: Uint8Array;
  readonly cost: number;
}

// Heap a log entry holds besides its payload bytes (entry, payload copy, vector pairs)
// and per replica id it names (pair and id string). Measured on Node 20: about 865 bytes
// per logged one-character RGA delta at 200 authors (test/support/log-heap.ts).
const ENTRY_BYTES = 768;
const ID_BYTES = 80;
// A gossip peer not heard from for this many rounds is forgotten.
const PEER_ROUNDS = 100;
const NONE: Counts = new Map();

/** The entries of `now` that differ from `before`, except `except`'s. */
function changedSince(now: Counts, before: Counts, except: ReplicaId): Map<ReplicaId, number> {
  const out = new Map<ReplicaId, number>();
  for (const [id, n] of now) if (id !== except && before.get(id) !== n) out.set(id, n);
  return out;
}

/**
 * One replica of one document, kept in sync with its peers over any number of
 * {@link Transport}s by an anti-entropy protocol:
 *
 * - a local {@link Replica.update} merges the delta at once and broadcasts it, with
 *   compact dependencies (a per-author sequence number and the vector entries that
 *   changed since the author's previous delta);
 * - when a link comes up, on {@link Replica.sync}, and in every gossip round (to one
 *   random known peer), the replica sends what it has seen (a version vector, or a
 *   digest of a full state); one peer (the addressee, or for a broadcast the one its
 *   nonce chooses) answers, addressed to it, with what it lacks: the deltas from its
 *   delta log (`deltaLog: true`), `missing(state, seen)` (a causal adapter) or its full
 *   state; equal peers stay silent; the requester sends back what the answer shows the
 *   answerer lacks, and other peers that lack something ask for it;
 * - a delta whose causes have not arrived is held back and its author is asked (one
 *   question at a time) for
 *   what is missing.
 *
 * Session guarantees (tested properties):
 * - **read-your-writes**: `state` includes an update as soon as `update` returns;
 * - **monotonic reads**: `state` never goes back in the lattice order, whatever
 *   arrives (every change is a merge, and a rejected message changes nothing);
 * - **causal visibility** (delta log or causal adapter): a delta is merged only once
 *   the replica has seen everything its author had seen when it made it, so an
 *   effect never shows before its cause.
 *
 * Convergence: once the links carry messages again, gossip rounds (or a round of
 * `sync`) make all replicas equal.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import { MemoryNetwork, Replica } from '@convergent/sync';
 *
 * const net = new MemoryNetwork();
 * const phone = new Replica({ id: asReplicaId('phone'), type: GCounter, gossipMs: 0 });
 * const laptop = new Replica({ id: asReplicaId('laptop'), type: GCounter, gossipMs: 0 });
 * phone.connect(net.transport('phone'));
 * laptop.connect(net.transport('laptop'));
 * phone.update((state, id) => GCounter.increment(state, id, 2));
 * GCounter.value(phone.state); // => 2
 * net.flush();
 * GCounter.value(laptop.state); // => 2
 * ```
 */
export class Replica<S> {
  /** This replica's id. */
  readonly id: ReplicaId;
  /** The document name. */
  readonly doc: string;
  /** Counters of what this replica sent and received. */
  readonly stats: ReplicaStats = { sent: 0, bytesSent: 0, received: 0, bytesReceived: 0, rejected: 0, heldBack: 0 };
  private readonly type: SyncAdapter<S>;
  private readonly limits: SyncLimits;
  private readonly decodeLimits: DecodeLimits;
  private readonly onError: (error: unknown) => void;
  private readonly gossipMs: number;
  private readonly random: () => number;
  private readonly links = new Map<Transport, () => void>();
  private readonly listeners = new Set<(state: S, change: Change<S>) => void>();
  private current: S;
  private seenOf: { state: S; seen: Counts } | undefined;
  private digestOf: { of: unknown; digest: number } | undefined;
  /**
   * The current state's encoding, while it is the current state (states are immutable, so
   * identity says so): answers and digests then cost no encode. Seeded with the bytes a
   * state was received in when the replica's state became exactly that state (a restore,
   * a new peer's first answer; delta logs and causal types), else filled by the first
   * encode; dropped on a change.
   */
  private encoded: { readonly state: S; readonly bytes: Uint8Array } | undefined;
  private pending: Array<Pending<S>> = [];
  /** The one peer asked for missing causes and the gossip round it was asked in, until it answers or the gaps close. */
  private asking: { readonly peer: ReplicaId; readonly round: number } | undefined;
  private readonly mode: 'causal' | 'log' | 'full';
  /** This replica's vector right after its previous local delta: later deps are relative to it. */
  private lastVector: Counts = NONE;
  // Delta log: deltas merged so far, per replica (contiguous); the log; and the
  // vector below which the log may have gaps (evicted entries).
  private applied: Counts = new Map();
  private log: LogEntry[] = [];
  private logStart = 0;
  private logBytes = 0;
  private logFloor: Counts = new Map();
  // Gossip: peers heard from, with the round they were last heard in.
  private readonly peers = new Map<ReplicaId, number>();
  private round = 0;
  /** Whether this replica broadcast a sync request and has not yet pushed its state on the answer (full-state sync). */
  private pushed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly acks = new Map<ReplicaId, number>();

  /**
   * @param options - id, type, document name, limits
   * @throws ReplicaIdReuseError if `initial` holds events created under `id` (a
   * restored replica continues under a fresh `replicaId()`)
   */
  constructor(options: ReplicaOptions<S>) {
    this.id = asReplicaId(options.id);
    const type = (this.type = options.type);
    if ((type.seen === undefined) !== (type.missing === undefined)) throw new TypeError('a causal adapter needs both seen and missing');
    this.doc = options.doc ?? '';
    if (new TextEncoder().encode(this.doc).length > 256) throw new RangeError('document name too long');
    this.limits = { ...DEFAULT_SYNC_LIMITS, ...options.limits };
    this.decodeLimits = { maxStringBytes: this.limits.maxStateBytes, maxBytes: this.limits.maxStateBytes, maxCount: this.limits.maxReplicas };
    this.onError = options.onError ?? (() => {});
    this.gossipMs = options.gossipMs ?? 1000;
    if (!(this.gossipMs >= 0 && this.gossipMs < 2 ** 31)) throw new RangeError('gossipMs must be a non-negative number of milliseconds');
    this.random = options.random ?? Math.random;
    this.current = options.initial ?? type.bottom;
    this.mode = type.seen ? 'causal' : options.deltaLog ? 'log' : 'full';
    if (options.initial !== undefined) {
      const authors = type.authors ? new Set(type.authors(options.initial)) : new Set(type.seen?.(options.initial).keys());
      if (authors.has(this.id))
        throw new ReplicaIdReuseError(`the initial state already holds events of ${this.id}: a restored replica must continue under a fresh replicaId()`);
    }
    // With a delta log, a starting state becomes this replica's first numbered delta. It
    // is not logged (encoding it would cost as much as decoding it did, and hold a second
    // copy): it starts below the log's floor, so a peer lacking it gets the whole state.
    if (this.mode === 'log' && !type.equals(this.current, type.bottom)) {
      this.applied = new Map([[this.id, 1]]);
      this.logFloor = this.applied;
      this.lastVector = this.applied;
    }
  }

  /** The current state. */
  get state(): S {
    return this.current;
  }

  /** Whether the replica exchanges version vectors and deltas (a causal adapter or a delta log), or else full states. */
  get causal(): boolean {
    return this.mode !== 'full';
  }

  /** What this replica has seen: the adapter's version vector, or the deltas merged per replica (delta log); empty for full-state sync. */
  get seen(): Counts {
    return this.vector();
  }

  /**
   * Bytes that two replicas of this document hold alike exactly when they have seen the
   * same: the encoded version vector (causal types and delta logs), or the encoded state
   * (full-state sync). A {@link DigestTree} indexes documents by it.
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import * as GCounter from '@convergent/g-counter';
   * import { Replica } from '@convergent/sync';
   *
   * const a = new Replica({ id: asReplicaId('a'), type: GCounter, gossipMs: 0 });
   * const b = new Replica({ id: asReplicaId('b'), type: GCounter, gossipMs: 0 });
   * a.version.join() === b.version.join(); // => true
   * a.update((state, id) => GCounter.increment(state, id, 1));
   * a.version.join() === b.version.join(); // => false
   * ```
   */
  get version(): Uint8Array {
    // A copy: the kept encoding must not be changed by the caller.
    if (this.mode === 'full') return this.encode(this.current).slice();
    const writer = new Writer();
    writeCounts(writer, this.vector());
    return writer.finish();
  }

  /**
   * Deltas held back now, waiting for their causes (a server compacting its stored
   * deltas into the state waits until none are).
   */
  get held(): number {
    return this.pending.length;
  }

  /**
   * Acknowledgements received: per durable peer, how many of this replica's own
   * deltas (1..n, numbered as in {@link Replica.seen}) it has said it stored.
   */
  get acknowledged(): ReadonlyMap<ReplicaId, number> {
    return this.acks;
  }

  /**
   * Calls `listener` with the new state and what changed, after every change.
   * @param listener - the callback; listeners written as `(state) => …` keep working
   * @returns a function that unsubscribes it
   */
  subscribe(listener: (state: S, change: Change<S>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A local write: calls the delta mutator on the current state, merges the delta
   * (visible in {@link Replica.state} at once) and broadcasts it.
   * @param mutate - a delta mutator, given the state and this replica's id
   * @returns the delta
   * @throws RangeError, before anything changes, if the delta's message would pass the size limits
   */
  update(mutate: (state: S, id: ReplicaId) => S): S {
    const delta = mutate(this.current, this.id);
    this.apply(delta);
    return delta;
  }

  /**
   * A local write of a ready-made delta: merges it and broadcasts it. (A state from
   * storage goes in the `initial` option of a replica with a fresh id.)
   * @param delta - a state of the type
   * @throws RangeError, before anything changes, if the delta's message would pass the size limits
   */
  apply(delta: S): void {
    if (this.type.equals(delta, this.type.bottom)) return;
    const vector = this.vector();
    const seq = this.mode === 'log' ? this.created() + 1 : undefined;
    let deps: Map<ReplicaId, number> | undefined;
    if (this.mode !== 'full') {
      deps = changedSince(vector, this.lastVector, this.id);
      // A causal type names its author's own count; a delta log has it in `seq`.
      if (this.mode === 'causal' && this.created() > 0) deps.set(this.id, this.created());
    }
    const payload = this.type.encode(delta);
    const bytes = this.stateMessage(payload, { to: undefined, ask: false, seq, deps: deps?.size ? deps : undefined, covers: undefined });
    if (bytes === undefined) throw new RangeError('delta past the size limits');
    const before = this.current;
    this.current = this.type.merge(this.current, delta);
    this.remember(delta, payload);
    if (seq !== undefined) this.advance(new Map([[this.id, seq]]), payload);
    this.lastVector = this.vector();
    this.send(bytes, undefined, undefined);
    this.changed(before, { delta, origin: 'local', from: this.id });
  }

  /**
   * Attaches a transport: from now on the replica sends on it and listens to it,
   * syncs whenever it comes up (at once if it is up), and gossips.
   * @param transport - the link
   * @returns a function that detaches it again (the "offline" switch)
   */
  connect(transport: Transport): () => void {
    if (!this.links.has(transport)) {
      const stop = transport.listen({
        message: (bytes, sender) => {
          try {
            this.receive(bytes, transport, sender);
          } catch (error) {
            this.onError(error);
          }
        },
        status: (up) => {
          if (up) this.sync(transport);
        },
      });
      this.links.set(transport, stop);
      if (transport.connected) this.sync(transport);
      this.schedule();
    }
    return () => this.disconnect(transport);
  }

  /**
   * Detaches a transport.
   * @param transport - a link passed to {@link Replica.connect}
   */
  disconnect(transport: Transport): void {
    this.links.get(transport)?.();
    this.links.delete(transport);
    if (this.links.size === 0) this.stopGossip();
  }

  /** Detaches every transport, stops gossip and forgets the listeners. */
  close(): void {
    for (const transport of [...this.links.keys()]) this.disconnect(transport);
    this.stopGossip();
    this.listeners.clear();
  }

  /**
   * Broadcasts a sync request: one peer, chosen by the request's random nonce, answers
   * with what this replica lacks, and gets back what it lacks; other peers that lack
   * something of this replica's ask for it. Sent whenever a link comes up; gossip
   * repairs lost messages without it.
   * @param transport - only this link (default: all)
   */
  sync(transport?: Transport): void {
    this.pushed = true;
    this.send(this.request(undefined, true), undefined, transport);
  }

  /**
   * One gossip round: asks one random peer this replica has heard from for what it
   * lacks, as {@link Replica.sync} does; with probability 1 / (peers known + 1) it asks
   * every peer on the links instead, so that peers it has never heard from (a healed
   * partition) learn of it and answer. In a room of N that is about one broadcast per
   * round for the whole room, so the cost stays linear.
   * The timer calls it every `gossipMs`; call it yourself to drive rounds (tests).
   * @returns the peer asked, or `undefined` if the request went to every peer
   */
  gossip(): ReplicaId | undefined {
    this.round++;
    for (const [peer, heard] of this.peers) if (heard < this.round - PEER_ROUNDS) this.peers.delete(peer);
    const known = [...this.peers.keys()];
    // Index known.length (no peer) broadcasts.
    const peer = known[Math.floor(this.random() * (known.length + 1))];
    this.pushed = peer === undefined;
    this.send(this.request(peer, true, peer !== undefined), peer, undefined);
    return peer;
  }

  /**
   * Tells `author` (durable peers: a server, once it has stored them) how many of
   * its deltas this replica holds, with an `ack` message; the author sees it in
   * {@link Replica.acknowledged}.
   * @param author - the replica to acknowledge to
   * @param stored - how many of the author's deltas are stored, when the durable
   * peer has merged more than it has stored so far (a server acknowledging after each
   * write): the ack says `min(stored, merged)`; default: every one merged
   * @throws TypeError for full-state sync, whose deltas are not numbered
   */
  acknowledge(author: ReplicaId, stored = Infinity): void {
    if (this.mode === 'full') throw new TypeError('acknowledgements need numbered deltas: a delta log or a causal type');
    const merged = this.vector().get(author);
    const n = merged === undefined ? undefined : Math.min(merged, stored);
    if (n !== undefined && n > 0) this.send(encodeMessage({ kind: 'ack', doc: this.doc, from: this.id, to: author, stored: new Map([[author, n]]) }), author, undefined);
  }

  /**
   * Handles one incoming message. Transports call it; call it yourself to feed
   * messages from elsewhere. Messages of a companion protocol on the same link
   * ({@link isCompanionMessage}: presence) are ignored.
   * @param bytes - the message, untrusted
   * @param from - the link it came by, where answers go (default: all links)
   * @param sender - who sent it, if the link authenticated them (see {@link Sender})
   * @throws DecodeError if the message or its payload is malformed or past the
   * limits, ProtocolVersionError for another format version, UnauthorizedError if
   * it breaks the trust rules, MergeRejectedError if the type refuses the delta; the
   * state is then unchanged
   */
  receive(bytes: Uint8Array, from?: Transport, sender?: Sender): void {
    if (bytes instanceof Uint8Array && isCompanionMessage(bytes)) return;
    let message: SyncMessage;
    let delta: S | undefined;
    let reused = false;
    try {
      message = decodeMessage(bytes, this.limits);
      // Transports never echo our own messages: one from our id is another replica's.
      reused = message.from === this.id;
      if (this.isForMe(message) && !reused) {
        if (message.kind === 'state') delta = this.type.decode(message.payload, this.decodeLimits);
        this.authorize(message, delta, sender);
      }
    } catch (error) {
      this.stats.rejected++;
      throw error instanceof DecodeError || error instanceof UnauthorizedError ? error : new DecodeError(String(error), { offset: 0 });
    }
    this.stats.received++;
    this.stats.bytesReceived += bytes.length;
    if (!this.isForMe(message)) return;
    if (reused) {
      this.onError(new ReplicaIdReuseError(`another replica uses this replica's id ${this.id}; its message was ignored`));
      return;
    }
    this.peers.delete(message.from);
    if (this.peers.size < this.limits.maxReplicas) this.peers.set(message.from, this.round);
    if (message.kind === 'sync') this.answer(message, from);
    else if (message.kind === 'ack') this.recordAck(message.from, message.stored.get(this.id) ?? 0);
    else {
      try {
        this.accept(message, delta as S, from);
      } catch (error) {
        this.stats.rejected++;
        throw error;
      }
    }
  }

  /** Records an ack: never past what this replica created, for at most `maxReplicas` peers. */
  private recordAck(peer: ReplicaId, stored: number): void {
    const n = Math.min(stored, this.created());
    if (n > (this.acks.get(peer) ?? 0) && (this.acks.has(peer) || this.acks.size < this.limits.maxReplicas)) this.acks.set(peer, n);
  }

  private isForMe(message: SyncMessage): boolean {
    return message.doc === this.doc && (message.to === undefined || message.to === this.id);
  }

  /** The trust rules; throws UnauthorizedError. */
  private authorize(message: SyncMessage, delta: S | undefined, sender: Sender | undefined): void {
    const refuse = (why: string): never => {
      throw new UnauthorizedError(`message from ${message.from} refused: ${why}`);
    };
    if (sender && !sender.trusted) {
      const own = (ids: Iterable<ReplicaId>, what: string) => {
        for (const id of ids) if (!sender.replicas.has(id)) refuse(`${what} ${id}, not one of the sender's authenticated ids`);
      };
      own([message.from], 'sent under');
      if (message.kind === 'state') {
        if (!this.type.authors) refuse("the type cannot list a delta's authors, so its deltas are accepted on unauthenticated links only");
        own(this.type.authors!(delta as S, this.current), 'events created by');
        own(message.covers?.keys() ?? [], 'a vector claim about');
      }
    }
    // On every link: no claim about this replica's own events beyond what it created.
    if (this.mode === 'full') return;
    const claims = message.kind === 'sync' ? [message.seen] : message.kind === 'ack' ? [] : [message.deps, message.covers];
    if (message.kind === 'state' && this.mode === 'causal') claims.push(this.type.seen!(delta as S));
    const created = this.created();
    for (const claim of claims) if ((claim?.get(this.id) ?? 0) > created) refuse(`it claims events of this replica (${this.id}) beyond the ${created} it created`);
  }

  private answer(request: SyncRequest, via: Transport | undefined): void {
    const asker = request.from;
    const chosen = this.chosen(request);
    if (this.mode === 'full') {
      // Other peers stay silent: the requester pushes its state to all if the answer lacked it.
      if (request.digest === this.digest() || !chosen) return;
      if (!this.type.equals(this.current, this.type.bottom)) this.reply(this.stateMessage(this.encode(this.current), { to: asker, ask: request.ask, seq: undefined, deps: undefined, covers: undefined }), asker, via);
      else if (request.ask) this.reply(this.request(asker, false), asker, via);
      return;
    }
    if (request.seen === undefined && request.digest !== undefined) {
      // A gossip round's digest of a vector: silent if equal, else send ours to compare.
      if (request.digest !== this.digest()) this.reply(this.request(asker, true), asker, via);
      return;
    }
    const seen = request.seen ?? NONE;
    const mine = this.vector();
    const lacking = request.ask && !countsLeq(seen, mine);
    if (chosen && !countsLeq(mine, seen)) this.sendMissing(asker, seen, lacking, via);
    else if (lacking) this.reply(this.request(asker, false), asker, via);
  }

  /**
   * Whether this replica is the one to answer a request: always for an addressed one;
   * for a broadcast with a nonce, only the peer with the highest rendezvous score among
   * those it knows (every peer with the same view picks the same one; a fresh nonce per
   * request picks another if that one is gone).
   */
  private chosen(request: SyncRequest): boolean {
    if (request.to !== undefined || request.nonce === undefined) return true;
    const score = (id: ReplicaId) => fnv1a32(new TextEncoder().encode(`${id}\n${request.from}\n${request.nonce}`));
    const mine = score(this.id);
    for (const peer of this.peers.keys()) {
      if (peer === request.from) continue;
      const theirs = score(peer);
      if (theirs > mine || (theirs === mine && peer > this.id)) return false;
    }
    return true;
  }

  /**
   * Sends `to` what a peer that has seen `seen` lacks. `covers` holds the entries of
   * this replica's vector the answer advances (a delta log's claims), or, when `ask`
   * (this replica lacks something the peer has), the whole vector, so that the peer
   * can send that back.
   */
  private sendMissing(to: ReplicaId, seen: Counts, ask: boolean, via: Transport | undefined): void {
    let delta = this.current;
    if (this.mode === 'causal') delta = this.type.missing!(this.current, seen);
    else if (countsLeq(this.logFloor, seen)) {
      // Every event the peer lacks is in an entry it has not fully seen. When the log
      // holds the whole state (nothing below its floor) and the peer lacks every entry
      // (a new peer), that is the state itself: no entry need be decoded.
      const lacked = this.log.slice(this.logStart).filter((entry) => entry.upTo.some(([id, n]) => n > (seen.get(id) ?? 0)));
      if (this.logFloor.size > 0 || lacked.length < this.log.length - this.logStart)
        delta = lacked.reduce((d, entry) => this.type.merge(d, this.type.decode(entry.payload)), this.type.bottom);
    }
    const mine = this.vector();
    const covers = ask ? mine : this.mode === 'log' ? new Map([...mine].filter(([id, n]) => n > (seen.get(id) ?? 0))) : undefined;
    this.reply(this.stateMessage(this.encode(delta), { to, ask, seq: undefined, deps: undefined, covers }), to, via);
  }

  private accept(message: StateMessage, delta: S, via: Transport | undefined): void {
    const from = message.from;
    if (message.to !== undefined) return this.acceptAnswer(message, delta, via);
    // A broadcast delta.
    let needs = message.deps ?? NONE;
    if (this.mode === 'log') {
      const seq = message.seq;
      if (seq === undefined) throw new DecodeError('a delta without a sequence number in a delta-log document: every replica of a document must use the same sync mode', { offset: 0 });
      // A duplicate; unless its content is new, which only a forged vector claim
      // (unauthenticated link) can cause: then the author's own delta wins.
      if (seq <= (this.applied.get(from) ?? 0) && this.type.leq(delta, this.current)) return;
      if (seq > 1) needs = mergeCounts(needs, new Map([[from, seq - 1]]));
    } else if (this.type.leq(delta, this.current)) return;
    // The payload is the decoder's own copy (never the transport's buffer): kept as it is.
    const early: Pending<S> = { from, needs, seq: message.seq, state: delta, payload: message.payload };
    if (!countsLeq(needs, this.vector())) {
      this.type.validateMerge?.(this.current, delta);
      this.pending.push(early);
      this.stats.heldBack++;
      if (this.pending.length > this.limits.maxPending) this.pending.shift();
      this.askForGap(from, via);
      return;
    }
    this.take(early);
    this.drain();
  }

  /**
   * A gap: the author of a held-back delta had seen every cause, so ask it at once.
   * One question at a time, whoever the authors: its answer brings everything that
   * author has and this replica lacks, which closes most gaps at once (a burst of
   * held-back deltas from many authors must not cause a burst of answers). The next
   * question goes out when the answer arrived and gaps remain, or in a later gossip
   * round if the answer was lost.
   */
  private askForGap(author: ReplicaId, via: Transport | undefined): void {
    if (this.asking?.round === this.round) return;
    this.asking = { peer: author, round: this.round };
    this.reply(this.request(author, false), author, via);
  }

  private acceptAnswer(message: StateMessage, delta: S, via: Transport | undefined): void {
    const from = message.from;
    const before = this.current;
    if (this.mode === 'log') {
      // The answer brings everything up to the answerer's vector: take its claims,
      // never about this replica's own deltas (it numbers them itself).
      const fresh = new Map([...(message.covers ?? NONE)].filter(([id, n]) => id !== this.id && n > (this.applied.get(id) ?? 0)));
      if (fresh.size > 0) this.take({ from, needs: NONE, seq: undefined, state: delta, payload: message.payload }, fresh);
    } else if (!this.type.leq(delta, this.current)) this.take({ from, needs: NONE, seq: undefined, state: delta, payload: message.payload });
    this.drain();
    if (this.asking?.peer === from) {
      this.asking = undefined;
      if (this.pending.length > 0) this.askForGap(this.pending[0]!.from, undefined);
    }
    if (!message.ask) return;
    // The answer shows what its sender lacks: send it that, once.
    if (this.mode === 'full') {
      // After a broadcast request only one peer answered: if it lacked something, so
      // may every peer, and one broadcast serves them all.
      if (!this.type.leq(before, delta)) {
        const to = this.pushed ? undefined : from;
        this.pushed = false;
        const bytes = this.stateMessage(this.encode(this.current), { to, ask: false, seq: undefined, deps: undefined, covers: undefined });
        if (to === undefined && bytes) this.send(bytes, undefined, undefined);
        else this.reply(bytes, from, via);
      }
    } else if (!countsLeq(this.vector(), message.covers ?? NONE)) this.sendMissing(from, message.covers ?? NONE, false, via);
  }

  /** Merges a delta whose causes are all here, once the type accepts it. */
  private take(p: Pending<S>, claims?: Counts): void {
    this.type.validateMerge?.(this.current, p.state);
    const before = this.current;
    this.current = this.type.merge(this.current, p.state);
    // Full-state sync hashes its own encoding to compare states (gossip digests,
    // `version`): a peer's bytes for an equal state may differ, so it keeps only its own.
    if (this.mode !== 'full') this.remember(p.state, p.payload);
    if (this.mode === 'log') this.advance(claims ?? new Map([[p.from, p.seq!]]), p.payload);
    this.changed(before, { delta: p.state, origin: 'remote', from: p.from });
  }

  /** Delta log: records that `upTo` (the entries it advances) is merged, and logs the delta. */
  private advance(upTo: Counts, payload: Uint8Array): void {
    this.applied = mergeCounts(this.applied, upTo);
    this.record(upTo, payload);
  }

  private record(upTo: Counts, payload: Uint8Array): void {
    const cost = payload.length + ENTRY_BYTES + ID_BYTES * upTo.size;
    this.log.push({ upTo: [...upTo], payload, cost });
    this.logBytes += cost;
    while (this.logBytes > this.limits.maxLogBytes && this.logStart < this.log.length) {
      const old = this.log[this.logStart++]!;
      this.logBytes -= old.cost;
      this.logFloor = mergeCounts(this.logFloor, new Map(old.upTo));
    }
    if (this.logStart > 1024 && this.logStart * 2 > this.log.length) {
      this.log = this.log.slice(this.logStart);
      this.logStart = 0;
    }
  }

  private drain(): void {
    for (let progress = true; progress && this.pending.length > 0; ) {
      progress = false;
      const still: Array<Pending<S>> = [];
      for (const p of this.pending) {
        if (this.type.leq(p.state, this.current) && (p.seq === undefined || p.seq <= (this.applied.get(p.from) ?? 0))) continue;
        if (!countsLeq(p.needs, this.vector())) {
          still.push(p);
          continue;
        }
        try {
          this.take(p);
          progress = true;
        } catch (error) {
          this.onError(error);
        }
      }
      this.pending = still;
    }
    if (this.pending.length === 0) this.asking = undefined;
  }

  /** Tells listeners, once the state and the log are consistent; a listener's exception goes to `onError`. */
  private changed(before: S, change: Change<S>): void {
    // Callers merge only what is new (checked by leq or by version vectors), so identity suffices here.
    if (this.current === before) return;
    const state = this.current;
    if (this.encoded?.state !== state) this.encoded = undefined;
    for (const listener of [...this.listeners]) {
      try {
        listener(state, change);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  private vector(): Counts {
    if (this.mode === 'log') return this.applied;
    if (this.mode === 'full') return NONE;
    if (this.seenOf?.state !== this.current) this.seenOf = { state: this.current, seen: this.type.seen!(this.current) };
    return this.seenOf.seen;
  }

  /** How many events (causal) or deltas (log) this replica has created. */
  private created(): number {
    return this.vector().get(this.id) ?? 0;
  }

  /** A hash of the state (full-state sync) or of the version vector, cached while it stays the same object. */
  private digest(): number {
    const of = this.mode === 'full' ? this.current : this.vector();
    if (this.digestOf?.of !== of) {
      const vector = new Writer();
      if (this.mode !== 'full') writeCounts(vector, of as Counts);
      this.digestOf = { of, digest: fnv1a32(this.mode === 'full' ? this.encode(this.current) : vector.finish()) };
    }
    return this.digestOf.digest;
  }

  /** `state` encoded: the current state's encoding is kept while it stays current. */
  private encode(state: S): Uint8Array {
    if (state !== this.current) return this.type.encode(state);
    if (this.encoded?.state !== state) this.encoded = { state, bytes: this.type.encode(state) };
    return this.encoded.bytes;
  }

  /**
   * After a merge of `delta`, received or made as `payload`: if the state is now that
   * very delta (merged into a state it covers, such as the empty one), `payload` is its
   * encoding, already through the bounded decoder and `validateMerge`.
   */
  private remember(delta: S, payload: Uint8Array): void {
    if (this.current === delta) this.encoded = { state: delta, bytes: payload };
  }

  /** A sync request; `brief`: with the digest of the vector instead of the vector (gossip). */
  private request(to: ReplicaId | undefined, ask: boolean, brief = false): Uint8Array {
    const full = this.mode === 'full' || brief;
    const nonce = to === undefined && ask ? Math.floor(this.random() * 2 ** 32) : undefined;
    return encodeMessage({ kind: 'sync', doc: this.doc, from: this.id, to, seen: full ? undefined : this.vector(), digest: full ? this.digest() : undefined, ask, nonce });
  }

  private stateMessage(payload: Uint8Array, fields: Pick<StateMessage, 'to' | 'ask' | 'seq' | 'deps' | 'covers'>): Uint8Array | undefined {
    if (payload.length > this.limits.maxStateBytes) return undefined;
    const bytes = encodeMessage({ kind: 'state', doc: this.doc, from: this.id, ...fields, payload });
    return bytes.length > this.limits.maxMessageBytes ? undefined : bytes;
  }

  /** An answer to `to`: on the link its request came by, else on every link. */
  private reply(bytes: Uint8Array | undefined, to: ReplicaId, via: Transport | undefined): void {
    if (bytes === undefined) this.onError(new RangeError('state past the size limits: cannot answer a sync request'));
    else this.send(bytes, to, via);
  }

  private send(bytes: Uint8Array, to: ReplicaId | undefined, via: Transport | undefined): void {
    for (const transport of via ? [via] : this.links.keys()) {
      if (!transport.connected) continue;
      this.stats.sent++;
      this.stats.bytesSent += bytes.length;
      transport.send(bytes, to === undefined ? { from: this.id } : { from: this.id, to });
    }
  }

  private schedule(): void {
    if (this.timer !== undefined || this.gossipMs === 0 || this.links.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.gossip();
      this.schedule();
    }, this.gossipMs * (0.5 + this.random()));
    // Node: a gossip timer alone must not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private stopGossip(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
