import { asReplicaId, countsLeq, DecodeError, mergeCounts, type Counts, type ReplicaId } from '@convergent/core';
import type { SyncAdapter } from './adapter.js';
import { ReplicaIdReuseError } from './errors.js';
import { decodeMessage, DEFAULT_SYNC_LIMITS, encodeMessage, type StateMessage, type SyncLimits, type SyncMessage, type SyncRequest } from './message.js';
import type { Transport } from './transport.js';

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
 * const options: ReplicaOptions<GCounter.GCounter> = { id: asReplicaId('phone'), type: GCounter, doc: 'likes' };
 * options.doc; // => 'likes'
 * ```
 */
export interface ReplicaOptions<S> {
  /** This replica's id: unique per replica and session (`replicaId()` from core makes one). */
  readonly id: ReplicaId;
  /** The type: its lattice, codec and optional causal capabilities. */
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
   * Called with every message a transport delivered that was rejected (a
   * `DecodeError`; the state is left as it was), a sync request that could not be
   * answered (size limits), a message from another replica using this id
   * ({@link ReplicaIdReuseError}), and exceptions thrown by listeners. Default: ignore.
   */
  readonly onError?: (error: unknown) => void;
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
  /** Messages received and accepted (including ignored ones for other documents). */
  received: number;
  /** Bytes of those messages. */
  bytesReceived: number;
  /** Messages rejected as malformed or oversized. */
  rejected: number;
  /** Deltas held back because they arrived before their causes. */
  heldBack: number;
}

interface Pending<S> {
  readonly deps: Counts;
  readonly covers: Counts | undefined;
  readonly state: S;
  readonly bytes: number;
}

interface LogEntry<S> {
  readonly delta: S;
  readonly bytes: number;
  /** Every event the delta brings is at most this vector. */
  readonly upTo: Counts;
}

/**
 * One replica of one document, kept in sync with its peers over any number of
 * {@link Transport}s by an anti-entropy protocol:
 *
 * - a local {@link Replica.update} merges the delta at once and broadcasts it;
 * - when a link comes up, and on every {@link Replica.sync}, the replica sends what it
 *   has seen (a version vector); each peer answers with what the replica lacks: the
 *   deltas from its delta log (`deltaLog: true`), `missing(state, seen)` (a causal
 *   adapter), or else its full state;
 * - a delta whose causes have not arrived is held back and a sync is requested.
 *
 * Session guarantees (tested properties):
 * - **read-your-writes**: `state` includes an update as soon as `update` returns;
 * - **monotonic reads**: `state` never goes back in the lattice order, whatever
 *   arrives (every change is a merge, and a rejected message changes nothing);
 * - **causal visibility** (delta log or causal adapter): a delta is merged only once
 *   the replica has seen everything its sender had seen when it made it, so an
 *   effect never shows before its cause.
 *
 * Convergence: once the links carry messages again, a round of `sync` from every
 * replica (or from one, whose peers then ask back) makes all replicas equal.
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
 * const phone = new Replica({ id: asReplicaId('phone'), type: GCounter });
 * const laptop = new Replica({ id: asReplicaId('laptop'), type: GCounter });
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
  private readonly onError: (error: unknown) => void;
  private readonly links = new Map<Transport, () => void>();
  private readonly listeners = new Set<(state: S) => void>();
  private current: S;
  private seenOf: { state: S; seen: Counts } | undefined;
  private pending: Array<Pending<S>> = [];
  private asked = false;
  private readonly mode: 'causal' | 'log' | 'full';
  // Delta log: deltas merged so far, per replica (contiguous); the log; and the
  // vector below which the log may have gaps (evicted entries).
  private applied: Counts = new Map();
  private log: Array<LogEntry<S>> = [];
  private logStart = 0;
  private logBytes = 0;
  private logFloor: Counts = new Map();

  /** @param options - id, type, document name, limits */
  constructor(options: ReplicaOptions<S>) {
    this.id = asReplicaId(options.id);
    this.type = options.type;
    if ((options.type.seen === undefined) !== (options.type.missing === undefined))
      throw new TypeError('a causal adapter needs both seen and missing');
    this.doc = options.doc ?? '';
    if (new TextEncoder().encode(this.doc).length > 256) throw new RangeError('document name too long');
    this.limits = { ...DEFAULT_SYNC_LIMITS, ...options.limits };
    this.onError = options.onError ?? (() => {});
    this.current = options.initial ?? options.type.bottom;
    this.mode = options.type.seen ? 'causal' : options.deltaLog ? 'log' : 'full';
    // With a delta log, a starting state becomes this replica's first numbered delta.
    if (this.mode === 'log' && !options.type.equals(this.current, options.type.bottom))
      this.record(this.current, options.type.encode(this.current).length, new Map([[this.id, 1]]));
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
    return this.mode === 'full' ? new Map() : this.vector();
  }

  /**
   * Calls `listener` with the new state after every change.
   * @param listener - the callback
   * @returns a function that unsubscribes it
   */
  subscribe(listener: (state: S) => void): () => void {
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
   * A local write of a ready-made delta (or of a state from storage): merges it and
   * broadcasts it.
   * @param delta - a state of the type
   * @throws RangeError, before anything changes, if the delta's message would pass the size limits
   */
  apply(delta: S): void {
    if (this.type.equals(delta, this.type.bottom)) return;
    const deps = this.causal ? this.vector() : undefined;
    const covers = this.mode === 'log' ? new Map([[this.id, (this.applied.get(this.id) ?? 0) + 1]]) : undefined;
    const payload = this.type.encode(delta);
    const bytes = this.stateMessage(payload, undefined, deps, covers);
    if (bytes === undefined) throw new RangeError('delta past the size limits');
    const before = this.current;
    this.current = this.type.merge(this.current, delta);
    if (covers) this.record(delta, payload.length, mergeCounts(deps!, covers));
    this.broadcast(bytes);
    this.changed(before);
  }

  /**
   * Attaches a transport: from now on the replica sends on it and listens to it,
   * and syncs whenever it comes up (at once if it is up).
   * @param transport - the link
   * @returns a function that detaches it again (the "offline" switch)
   */
  connect(transport: Transport): () => void {
    if (this.links.has(transport)) return () => this.disconnect(transport);
    const stop = transport.listen({
      message: (bytes) => {
        try {
          this.receive(bytes, transport);
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
    return () => this.disconnect(transport);
  }

  /**
   * Detaches a transport.
   * @param transport - a link passed to {@link Replica.connect}
   */
  disconnect(transport: Transport): void {
    this.links.get(transport)?.();
    this.links.delete(transport);
  }

  /** Detaches every transport and forgets the listeners. */
  close(): void {
    for (const transport of [...this.links.keys()]) this.disconnect(transport);
    this.listeners.clear();
  }

  /**
   * Starts an anti-entropy round: sends what this replica has seen, asking peers for
   * what it lacks (and peers that lack something ask back). Call it periodically to
   * repair lost messages; it is also sent whenever a link comes up.
   * @param transport - only this link (default: all)
   */
  sync(transport?: Transport): void {
    this.asked = false;
    const request: SyncRequest = { kind: 'sync', doc: this.doc, from: this.id, seen: this.causal ? this.vector() : undefined, ask: true };
    const bytes = encodeMessage(request);
    if (transport) this.sendOn(transport, bytes);
    else this.broadcast(bytes);
  }

  /**
   * Handles one incoming message. Transports call it; call it yourself to feed
   * messages from elsewhere.
   * @param bytes - the message, untrusted
   * @param from - the link it came by, where answers go (default: all links)
   * @throws DecodeError if the message or its payload is malformed or past the
   * limits; the state is then unchanged
   */
  receive(bytes: Uint8Array, from?: Transport): void {
    let message: SyncMessage;
    let delta: S | undefined;
    try {
      message = decodeMessage(bytes, this.limits);
      if (message.kind === 'state' && message.doc === this.doc) delta = this.type.decode(message.payload);
    } catch (error) {
      this.stats.rejected++;
      throw error instanceof DecodeError ? error : new DecodeError(String(error), { offset: 0 });
    }
    this.stats.received++;
    this.stats.bytesReceived += bytes.length;
    if (message.doc !== this.doc) return;
    if (message.from === this.id) {
      // Transports never echo our own messages: another replica has our id.
      this.onError(new ReplicaIdReuseError(`another replica uses this replica's id ${this.id}; its message was ignored`));
      return;
    }
    if (message.kind === 'sync') this.answer(message, from);
    else this.accept(message, delta as S);
  }

  private answer(request: SyncRequest, via: Transport | undefined): void {
    const reply = (bytes: Uint8Array | undefined) => {
      if (bytes === undefined) this.onError(new RangeError('state past the size limits: cannot answer a sync request'));
      else if (via) this.sendOn(via, bytes);
      else this.broadcast(bytes);
    };
    const fullState = (covers: Counts | undefined) => {
      if (!this.type.equals(this.current, this.type.bottom)) reply(this.stateMessage(this.type.encode(this.current), request.from, undefined, covers));
    };
    const seen = request.seen;
    if (this.mode === 'full' || seen === undefined) {
      fullState(this.mode === 'log' ? this.applied : undefined);
      if (request.ask && this.mode === 'full') reply(encodeMessage({ kind: 'sync', doc: this.doc, from: this.id, seen: undefined, ask: false }));
      return;
    }
    const mine = this.vector();
    if (this.mode === 'causal') {
      const delta = this.type.missing!(this.current, seen);
      if (!this.type.equals(delta, this.type.bottom)) reply(this.stateMessage(this.type.encode(delta), request.from, undefined, undefined));
    } else if (!countsLeq(mine, seen)) {
      if (countsLeq(this.logFloor, seen)) {
        // Every event the peer lacks is in an entry it has not fully seen.
        let delta = this.type.bottom;
        for (let i = this.logStart; i < this.log.length; i++) {
          const entry = this.log[i]!;
          if (!countsLeq(entry.upTo, seen)) delta = this.type.merge(delta, entry.delta);
        }
        reply(this.stateMessage(this.type.encode(delta), request.from, undefined, mine));
      } else fullState(mine);
    }
    if (request.ask && !countsLeq(seen, mine)) reply(encodeMessage({ kind: 'sync', doc: this.doc, from: this.id, seen: mine, ask: false }));
  }

  private accept(message: StateMessage, delta: S): void {
    // An answer to someone else's sync request (on a broadcast medium) was cut to
    // what they lacked: it may miss causes we lack too, so only its addressee merges it.
    if (message.to !== undefined && message.to !== this.id) return;
    const covers = this.mode === 'log' ? message.covers : undefined;
    if (covers ? countsLeq(covers, this.applied) : this.type.leq(delta, this.current)) return;
    if (this.causal && message.deps && !countsLeq(message.deps, this.vector())) {
      this.pending.push({ deps: message.deps, covers, state: delta, bytes: message.payload.length });
      this.stats.heldBack++;
      if (this.pending.length > this.limits.maxPending) this.pending.shift();
      if (!this.asked) {
        this.sync();
        this.asked = true;
      }
      return;
    }
    this.take(delta, message.deps, covers, message.payload.length);
    this.drain();
  }

  /** Merges a delta whose causes are all here. */
  private take(delta: S, deps: Counts | undefined, covers: Counts | undefined, bytes: number): void {
    const before = this.current;
    this.current = this.type.merge(this.current, delta);
    if (covers) this.record(delta, bytes, deps ? mergeCounts(deps, covers) : covers);
    this.changed(before);
  }

  private record(delta: S, bytes: number, upTo: Counts): void {
    if (this.mode !== 'log') return;
    this.applied = mergeCounts(this.applied, upTo);
    this.log.push({ delta, bytes, upTo });
    this.logBytes += bytes;
    while (this.logBytes > this.limits.maxLogBytes && this.logStart < this.log.length) {
      const old = this.log[this.logStart++]!;
      this.logBytes -= old.bytes;
      this.logFloor = mergeCounts(this.logFloor, old.upTo);
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
        if (p.covers ? countsLeq(p.covers, this.applied) : this.type.leq(p.state, this.current)) continue;
        if (countsLeq(p.deps, this.vector())) {
          this.take(p.state, p.deps, p.covers, p.bytes);
          progress = true;
        } else still.push(p);
      }
      this.pending = still;
    }
  }

  /** Tells listeners, once the state and the log are consistent; a listener's exception goes to `onError`. */
  private changed(before: S): void {
    // Callers merge only what is new (checked by leq or by version vectors), so identity suffices here.
    if (this.current === before) return;
    this.asked = false;
    const state = this.current;
    for (const listener of [...this.listeners]) {
      try {
        listener(state);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  private vector(): Counts {
    if (this.mode === 'log') return this.applied;
    if (this.seenOf?.state !== this.current) this.seenOf = { state: this.current, seen: this.type.seen!(this.current) };
    return this.seenOf.seen;
  }

  private stateMessage(payload: Uint8Array, to: ReplicaId | undefined, deps: Counts | undefined, covers: Counts | undefined): Uint8Array | undefined {
    if (payload.length > this.limits.maxStateBytes) return undefined;
    const bytes = encodeMessage({ kind: 'state', doc: this.doc, from: this.id, to, deps, covers, payload });
    return bytes.length > this.limits.maxMessageBytes ? undefined : bytes;
  }

  private broadcast(bytes: Uint8Array): void {
    for (const transport of this.links.keys()) this.sendOn(transport, bytes);
  }

  private sendOn(transport: Transport, bytes: Uint8Array): void {
    if (!transport.connected) return;
    this.stats.sent++;
    this.stats.bytesSent += bytes.length;
    transport.send(bytes);
  }
}
