import type { ReplicaId } from '@convergent/core';

/**
 * Routing facts a {@link Replica} gives a transport with each message.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { SendOptions } from '@convergent/sync';
 *
 * const answer: SendOptions = { from: asReplicaId('server'), to: asReplicaId('phone') };
 * answer.to; // => 'phone'
 * ```
 */
export interface SendOptions {
  /** The sending replica. */
  readonly from?: ReplicaId;
  /** The one replica the message is for; `undefined` for every peer on the link. */
  readonly to?: ReplicaId;
}

/**
 * Who sent a message, as established by an authenticating transport (the server
 * issue's connections). A replica accepts from such a sender only events created under
 * `replicas`, unless the sender is `trusted` to forward other replicas' events.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { Sender } from '@convergent/sync';
 *
 * const client: Sender = { replicas: new Set([asReplicaId('phone')]), trusted: false };
 * client.replicas.has(asReplicaId('phone')); // => true
 * ```
 */
export interface Sender {
  /** The replica ids the sender is allowed to author events under. */
  readonly replicas: ReadonlySet<ReplicaId>;
  /** Whether the sender (a server) may forward events authored by other replicas. */
  readonly trusted: boolean;
}

/**
 * What a transport tells the {@link Replica} listening to it.
 *
 * @example
 * ```ts
 * import type { TransportHandlers } from '@convergent/sync';
 *
 * const received: Uint8Array[] = [];
 * const handlers: TransportHandlers = { message: (bytes) => received.push(bytes), status: () => {} };
 * handlers.message(new Uint8Array([1]));
 * received.length; // => 1
 * ```
 */
export interface TransportHandlers {
  /**
   * Called with every message that arrives.
   * @param bytes - the message, untrusted
   * @param sender - who sent it, when the transport authenticated the sender;
   * `undefined` on an unauthenticated link (tabs of one browser, a plain relay)
   */
  message(bytes: Uint8Array, sender?: Sender): void;
  /**
   * Called when the link comes up (peers may have missed updates: the replica syncs)
   * or goes down.
   * @param up - whether the link is now up
   */
  status(up: boolean): void;
}

/**
 * A link to zero or more peers that carries opaque byte messages: best effort, in
 * any order, possibly lost or duplicated. The sync protocol needs nothing more.
 * Broadcast media (a BroadcastChannel, a relay) deliver each message to every other
 * peer; a point-to-point link is the two-peer case.
 *
 * @example
 * ```ts
 * import type { Transport, TransportHandlers } from '@convergent/sync';
 *
 * // A loopback pair: what one end sends, the other receives.
 * function pair(): [Transport, Transport] {
 *   const handlers: Array<TransportHandlers | undefined> = [undefined, undefined];
 *   const end = (i: number): Transport => ({
 *     connected: true,
 *     send: (bytes) => handlers[1 - i]?.message(bytes),
 *     listen: (h) => {
 *       handlers[i] = h;
 *       return () => { handlers[i] = undefined; };
 *     },
 *   });
 *   return [end(0), end(1)];
 * }
 * const [left, right] = pair();
 * let got = 0;
 * right.listen({ message: (bytes) => { got = bytes.length; }, status: () => {} });
 * left.send(new Uint8Array(3));
 * got; // => 3
 * ```
 */
export interface Transport {
  /** Whether the link is up now; while down, sent messages are lost. */
  readonly connected: boolean;
  /**
   * Sends a message to the peers on the link (best effort).
   * @param bytes - the message
   * @param options - the sending replica and, for an answer meant for one peer, its
   * addressee: transports that can route deliver it to that peer only
   */
  send(bytes: Uint8Array, options?: SendOptions): void;
  /**
   * Starts delivering messages and status changes to `handlers`.
   * @param handlers - the listener
   * @returns a function that stops delivery to these handlers
   */
  listen(handlers: TransportHandlers): () => void;
}
