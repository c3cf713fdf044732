import { asReplicaId, DecodeError, type JsonObject, type ReplicaId } from '@convergent/core';
import { ReplicaIdReuseError, UnauthorizedError, type Sender, type Transport } from '@convergent/sync';
import { decodePresence, encodePresence, isPresenceMessage, type PresenceMessage } from './message.js';
import { checkState, DEFAULT_PRESENCE_LIMITS, sameState, type PresenceLimits, type PresenceState, type Selection } from './state.js';

/**
 * How to build a {@link Presence}.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { PresenceOptions } from '@convergent/presence';
 *
 * const options: PresenceOptions = { id: asReplicaId('ada'), doc: 'notes', name: 'Ada', colour: '#3b82f6' };
 * options.name; // => 'Ada'
 * ```
 */
export interface PresenceOptions {
  /** This replica's id: the same as its sync `Replica`'s, so that peers match carets to edits. */
  readonly id: ReplicaId;
  /** Document name, as the sync replica's (default `''`). */
  readonly doc?: string;
  /** Display name. */
  readonly name: string;
  /** Colour, `#rrggbb`. */
  readonly colour: string;
  /** Starting application fields (default `{}`). */
  readonly fields?: JsonObject;
  /** Bounds (default {@link DEFAULT_PRESENCE_LIMITS}). */
  readonly limits?: Partial<PresenceLimits>;
  /**
   * Least milliseconds between two messages (default 50): changes within it are sent
   * together, once it has passed. Changes made in one task always go out as one message.
   */
  readonly throttleMs?: number;
  /** Milliseconds of silence after which the state is sent again, so peers keep it (default 15,000). */
  readonly keepAliveMs?: number;
  /** A peer not heard from for this many milliseconds is dropped (default 30,000; more than `keepAliveMs`). */
  readonly timeoutMs?: number;
  /**
   * Called with every presence message that was rejected: a `DecodeError` (a
   * {@link PresenceVersionError} for a peer on another format version), an
   * `UnauthorizedError` (an authenticated sender publishing another replica's
   * presence), a `ReplicaIdReuseError`; and with exceptions thrown by listeners.
   * Default: ignore.
   */
  readonly onError?: (error: unknown) => void;
}

/**
 * A change in the peers' presence, as told to {@link Presence.subscribe} listeners.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { PresenceChange } from '@convergent/presence';
 *
 * const change: PresenceChange = { kind: 'leave', id: asReplicaId('ada'), state: { name: 'Ada', colour: '#3b82f6', selection: null, fields: {} } };
 * change.kind; // => 'leave'
 * ```
 */
export interface PresenceChange {
  /** `join`: a new peer; `update`: a peer's state changed; `leave`: it left, went silent or its link went down. */
  readonly kind: 'join' | 'update' | 'leave';
  /** The peer. */
  readonly id: ReplicaId;
  /** Its state now (for `leave`, its last state). */
  readonly state: PresenceState;
}

/**
 * What a {@link Presence} has done so far.
 *
 * @example
 * ```ts
 * import type { PresenceStats } from '@convergent/presence';
 *
 * const none: PresenceStats = { sent: 0, received: 0, rejected: 0 };
 * none.sent; // => 0
 * ```
 */
export interface PresenceStats {
  /** Messages sent (one per transport). */
  sent: number;
  /** Presence messages received and accepted (including ignored duplicates and other documents'). */
  received: number;
  /** Presence messages rejected: malformed, oversized, unauthorized. */
  rejected: number;
}

interface Peer {
  state: PresenceState;
  seq: number;
  heard: number;
  via: Transport | undefined;
}

/** Sets a timer that does not keep a Node process alive. */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Who is here and where their caret is: each replica publishes a small ephemeral
 * {@link PresenceState} (a name, a colour, a selection anchored to RGA element ids,
 * application fields) over the same transports as its sync `Replica`, and sees its
 * peers'. Nothing is stored or merged: each peer's latest state wins, by its
 * sequence number.
 *
 * - **Traffic.** A message goes out only when the state changed, at most one per
 *   `throttleMs` (changes in between are coalesced into one), plus a keep-alive after
 *   `keepAliveMs` of silence. When a link comes up the replica broadcasts its state
 *   asking for the others'; each peer answers once, addressed to it (the relay
 *   delivers an answer to the asker alone), and several askers in one burst get one
 *   broadcast.
 * - **Expiry.** A peer's state goes when it says it leaves ({@link Presence.close}),
 *   when it has been silent for `timeoutMs`, or when the link it was heard on goes down.
 * - **Hostile peers.** Messages are decoded within `limits`; on an authenticated
 *   link an untrusted sender may publish only its own presence.
 * - **Sharing the link.** Presence messages start with a byte that a sync `Replica`
 *   ignores (`isCompanionMessage`), and a `Presence` ignores sync messages, so both
 *   connect to the same transport.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { MemoryNetwork } from '@convergent/sync';
 * import { Presence } from '@convergent/presence';
 *
 * const net = new MemoryNetwork();
 * const ada = new Presence({ id: asReplicaId('ada'), name: 'Ada', colour: '#3b82f6' });
 * const bob = new Presence({ id: asReplicaId('bob'), name: 'Bob', colour: '#ef4444' });
 * ada.connect(net.transport('ada'));
 * bob.connect(net.transport('bob'));
 * ada.flush();
 * bob.flush();
 * net.flush();
 * bob.flush(); // bob answers ada's question
 * net.flush();
 * ada.peers.get(asReplicaId('bob'))?.name; // => 'Bob'
 * bob.set({ fields: { typing: true } });
 * bob.flush();
 * net.flush();
 * ada.peers.get(asReplicaId('bob'))?.fields; // => { typing: true }
 * ada.close();
 * bob.close();
 * ```
 */
export class Presence {
  /** This replica's id. */
  readonly id: ReplicaId;
  /** The document name. */
  readonly doc: string;
  /** Counters of what this presence sent and received. */
  readonly stats: PresenceStats = { sent: 0, received: 0, rejected: 0 };
  private readonly limits: PresenceLimits;
  private readonly throttleMs: number;
  private readonly keepAliveMs: number;
  private readonly timeoutMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly links = new Map<Transport, () => void>();
  private readonly listeners = new Set<(peers: ReadonlyMap<ReplicaId, PresenceState>, change: PresenceChange) => void>();
  private readonly known = new Map<ReplicaId, Peer>();
  private readonly view = new Map<ReplicaId, PresenceState>();
  /** Peers that left: their last sequence number, so that a late message does not bring them back. */
  private readonly gone = new Map<ReplicaId, { seq: number; heard: number }>();
  private current: PresenceState;
  private seq = 0;
  private lastSent = -Infinity;
  /** What the next send must do: broadcast (a change, a keep-alive), ask, answer these peers. */
  private dirty = false;
  private asking = false;
  private readonly answerTo = new Set<ReplicaId>();
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  private sendQueued = false;
  private clock: ReturnType<typeof setTimeout> | undefined;
  /** When the clock fires (Infinity: not armed). */
  private clockAt = Infinity;
  private closed = false;

  /**
   * @param options - id, document, the starting state, timing and limits
   * @throws RangeError, TypeError or InvalidValueError for a state the limits refuse, or bad timings
   */
  constructor(options: PresenceOptions) {
    this.id = asReplicaId(options.id);
    this.doc = options.doc ?? '';
    this.limits = { ...DEFAULT_PRESENCE_LIMITS, ...options.limits };
    this.throttleMs = options.throttleMs ?? 50;
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (!(this.throttleMs >= 0 && this.keepAliveMs > this.throttleMs && this.timeoutMs > this.keepAliveMs && this.timeoutMs < 2 ** 31))
      throw new RangeError('need 0 <= throttleMs < keepAliveMs < timeoutMs < 2^31 ms');
    this.onError = options.onError ?? (() => {});
    this.current = checkState({ name: options.name, colour: options.colour, selection: null, fields: options.fields ?? {} }, this.limits);
    encodePresence({ kind: 'leave', doc: this.doc, from: this.id, seq: 1 }); // checks the document name
  }

  /** This replica's own state. */
  get state(): PresenceState {
    return this.current;
  }

  /** The peers present now, by replica id (never this replica). */
  get peers(): ReadonlyMap<ReplicaId, PresenceState> {
    return this.view;
  }

  /**
   * Changes this replica's state; peers hear of it in the next message (at once,
   * unless one went out less than `throttleMs` ago). Nothing is sent if nothing changed.
   * @param patch - the fields to change
   * @throws RangeError, TypeError or InvalidValueError (state unchanged) for a value the limits refuse
   */
  set(patch: Partial<PresenceState>): void {
    if (this.closed) return;
    const next = checkState({ ...this.current, ...patch }, this.limits);
    if (sameState(next, this.current)) return;
    this.current = next;
    this.dirty = true;
    this.schedule();
  }

  /**
   * Sets the selection (a shorthand for `set({ selection })`).
   * @param selection - the caret and selection, or `null` when not in the text
   */
  select(selection: Selection | null): void {
    this.set({ selection });
  }

  /**
   * Calls `listener` after every change in the peers' presence.
   * @param listener - the callback, given the peers and what changed
   * @returns a function that unsubscribes it
   */
  subscribe(listener: (peers: ReadonlyMap<ReplicaId, PresenceState>, change: PresenceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Attaches a transport (the one the sync replica uses, or another): the state goes
   * out on it, asking peers for theirs, whenever it comes up.
   * @param transport - the link
   * @returns a function that detaches it
   */
  connect(transport: Transport): () => void {
    if (!this.closed && !this.links.has(transport)) {
      const stop = transport.listen({
        message: (bytes, sender) => {
          if (!isPresenceMessage(bytes)) return;
          try {
            this.receive(bytes, transport, sender);
          } catch (error) {
            this.onError(error);
          }
        },
        status: (up) => (up ? this.hello() : this.linkDown(transport)),
      });
      this.links.set(transport, stop);
      if (transport.connected) this.hello();
    }
    return () => this.disconnect(transport);
  }

  /**
   * Detaches a transport; peers heard on it are dropped.
   * @param transport - a link passed to {@link Presence.connect}
   */
  disconnect(transport: Transport): void {
    this.links.get(transport)?.();
    this.links.delete(transport);
    this.linkDown(transport);
  }

  /**
   * Sends what is pending now instead of when the throttle allows (tests, and before
   * a page unloads).
   */
  flush(): void {
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    this.sendQueued = false;
    if (this.closed || (!this.dirty && !this.asking && this.answerTo.size === 0)) return;
    const broadcast = this.dirty || this.asking || this.answerTo.size > 1;
    const to = broadcast ? undefined : [...this.answerTo][0];
    const ask = this.asking;
    this.dirty = this.asking = false;
    this.answerTo.clear();
    this.send(encodePresence({ kind: 'state', doc: this.doc, from: this.id, seq: ++this.seq, to, ask, state: this.current }), to);
  }

  /**
   * Tells peers this replica leaves (they drop its state at once), detaches every
   * transport, stops the timers and forgets the listeners. Call it when the page
   * unloads (`pagehide`).
   */
  close(): void {
    if (this.closed) return;
    this.send(encodePresence({ kind: 'leave', doc: this.doc, from: this.id, seq: ++this.seq }), undefined);
    this.closed = true;
    for (const transport of [...this.links.keys()]) this.disconnect(transport);
    clearTimeout(this.sendTimer);
    clearTimeout(this.clock);
    this.listeners.clear();
  }

  /**
   * Handles one incoming presence message. Transports call it; call it yourself to
   * feed messages from elsewhere.
   * @param bytes - the message, untrusted
   * @param via - the link it came by (its peers are dropped when it goes down)
   * @param sender - who sent it, if the link authenticated them
   * @throws DecodeError if the message is malformed or past the limits
   * ({@link PresenceVersionError} for another format version), UnauthorizedError if an
   * authenticated, untrusted sender publishes another replica's presence,
   * ReplicaIdReuseError if it comes from another replica using this id
   */
  receive(bytes: Uint8Array, via?: Transport, sender?: Sender): void {
    let message: PresenceMessage;
    try {
      message = decodePresence(bytes, this.limits);
      if (message.doc === this.doc && sender && !sender.trusted && !sender.replicas.has(message.from))
        throw new UnauthorizedError(`presence of ${message.from} refused: not one of the sender's authenticated ids`);
    } catch (error) {
      this.stats.rejected++;
      throw error instanceof DecodeError || error instanceof UnauthorizedError ? error : new DecodeError(String(error), { offset: 0 });
    }
    this.stats.received++;
    if (this.closed || message.doc !== this.doc || (message.kind === 'state' && message.to !== undefined && message.to !== this.id)) return;
    const from = message.from;
    if (from === this.id) throw new ReplicaIdReuseError(`another replica uses this replica's id ${this.id}; its presence was ignored`);
    const peer = this.known.get(from);
    if (message.seq <= (peer?.seq ?? this.gone.get(from)?.seq ?? 0)) return;
    const now = Date.now();
    if (message.kind === 'leave') {
      this.gone.set(from, { seq: message.seq, heard: now });
      if (peer) this.drop(from, peer);
      this.ensureClock(now + this.timeoutMs);
      return;
    }
    if (peer === undefined && this.known.size >= this.limits.maxPeers) return;
    this.gone.delete(from);
    const changed = peer === undefined || !sameState(peer.state, message.state);
    // A keep-alive changes nothing but the time the peer was heard.
    const state = changed ? Object.freeze({ ...message.state }) : peer.state;
    this.known.set(from, { state, seq: message.seq, heard: now, via });
    if (message.ask) {
      this.answerTo.add(from);
      this.schedule();
    }
    if (changed) {
      this.view.set(from, state);
      this.tell({ kind: peer === undefined ? 'join' : 'update', id: from, state });
    }
    this.ensureClock(now + this.timeoutMs);
  }

  /** A link came up: peers may not know us, nor we them. */
  private hello(): void {
    this.asking = true;
    this.schedule();
    this.tick();
  }

  private linkDown(transport: Transport): void {
    for (const [id, peer] of this.known) if (peer.via === transport) this.drop(id, peer);
  }

  private drop(id: ReplicaId, peer: Peer): void {
    this.known.delete(id);
    this.view.delete(id);
    this.tell({ kind: 'leave', id, state: peer.state });
  }

  private tell(change: PresenceChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(this.view, change);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  /** Sends what is pending: within this task's end, or once `throttleMs` has passed since the last message. */
  private schedule(): void {
    if (this.closed || this.sendQueued) return;
    this.sendQueued = true;
    const wait = this.lastSent + this.throttleMs - Date.now();
    if (wait > 0) this.sendTimer = unref(setTimeout(() => this.flush(), wait));
    else queueMicrotask(() => this.sendQueued && this.flush());
  }

  private send(bytes: Uint8Array, to: ReplicaId | undefined): void {
    this.lastSent = Date.now();
    for (const transport of this.links.keys()) {
      if (!transport.connected) continue;
      this.stats.sent++;
      transport.send(bytes, to === undefined ? { from: this.id } : { from: this.id, to });
    }
    this.ensureClock(this.lastSent + this.keepAliveMs);
  }

  /** Re-arms the clock if `deadline` comes before it fires (when it fires, it finds every later deadline itself). */
  private ensureClock(deadline: number): void {
    if (deadline < this.clockAt) this.tick();
  }

  /** Housekeeping: expires silent peers and forgotten departures, sends the keep-alive, and sets the timer for the next of these. */
  private tick(): void {
    clearTimeout(this.clock);
    this.clock = undefined;
    this.clockAt = Infinity;
    if (this.closed) return;
    const now = Date.now();
    let next = Infinity;
    for (const [id, peer] of this.known) {
      if (now - peer.heard >= this.timeoutMs) this.drop(id, peer);
      else next = Math.min(next, peer.heard + this.timeoutMs);
    }
    for (const [id, left] of this.gone) {
      if (now - left.heard >= this.timeoutMs) this.gone.delete(id);
      else next = Math.min(next, left.heard + this.timeoutMs);
    }
    if (this.links.size > 0) {
      if (now - this.lastSent >= this.keepAliveMs) {
        this.dirty = true;
        this.schedule();
      } else next = Math.min(next, this.lastSent + this.keepAliveMs);
    }
    if (next < Infinity) {
      this.clockAt = next;
      this.clock = unref(setTimeout(() => this.tick(), Math.max(0, next - now)));
    }
  }
}
