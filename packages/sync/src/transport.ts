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
   */
  message(bytes: Uint8Array): void;
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
   */
  send(bytes: Uint8Array): void;
  /**
   * Starts delivering messages and status changes to `handlers`.
   * @param handlers - the listener
   * @returns a function that stops delivery to these handlers
   */
  listen(handlers: TransportHandlers): () => void;
}
