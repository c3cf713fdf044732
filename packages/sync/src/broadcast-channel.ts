import type { Transport, TransportHandlers } from './transport.js';

/**
 * A {@link Transport} over a `BroadcastChannel`: every tab, window or worker of one
 * origin that opens a channel of the same name is a peer. Messages are structured
 * clones of the bytes; the link is always up until {@link BroadcastChannelTransport.close}.
 * Works in browsers and in Node (which has a global `BroadcastChannel` across
 * worker threads and within one thread).
 *
 * A broadcast medium: it ignores routing, so a message with an addressee still
 * reaches every tab (and only the addressee's replica merges it). Nothing on the
 * channel is authenticated: every context of the origin can post as any replica,
 * so the origin's code is trusted as a whole.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import { BroadcastChannelTransport, Replica } from '@convergent/sync';
 *
 * const left = new BroadcastChannelTransport('likes-example');
 * const right = new BroadcastChannelTransport('likes-example');
 * const a = new Replica({ id: asReplicaId('a'), type: GCounter });
 * const b = new Replica({ id: asReplicaId('b'), type: GCounter });
 * a.connect(left);
 * b.connect(right);
 * const arrived = new Promise<void>((resolve) => b.subscribe(() => resolve()));
 * a.update((state, id) => GCounter.increment(state, id, 3));
 * await arrived;
 * GCounter.value(b.state); // => 3
 * left.close();
 * right.close();
 * ```
 */
export class BroadcastChannelTransport implements Transport {
  private readonly channel: BroadcastChannel;
  private readonly handlers = new Set<TransportHandlers>();
  private open = true;

  /**
   * @param name - the channel name; peers use the same one
   * @param Channel - the `BroadcastChannel` constructor (default the global one)
   */
  constructor(name: string, Channel: typeof BroadcastChannel = globalThis.BroadcastChannel) {
    if (typeof Channel !== 'function') throw new TypeError('no BroadcastChannel in this environment');
    this.channel = new Channel(name);
    this.channel.onmessage = (event: MessageEvent) => {
      const data: unknown = event.data;
      const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : undefined;
      if (bytes === undefined) return;
      for (const h of [...this.handlers]) h.message(bytes);
    };
  }

  /** Whether the channel is open. */
  get connected(): boolean {
    return this.open;
  }

  /**
   * Posts a message to every other channel of the same name, whatever its addressee.
   * @param bytes - the message
   */
  send(bytes: Uint8Array): void {
    if (this.open) this.channel.postMessage(bytes);
  }

  /**
   * Delivers incoming messages to `handlers`.
   * @param handlers - the listener
   * @returns a function that stops delivery
   */
  listen(handlers: TransportHandlers): () => void {
    this.handlers.add(handlers);
    return () => this.handlers.delete(handlers);
  }

  /** Closes the channel for good, telling listeners the link is down. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.channel.close();
    for (const h of [...this.handlers]) h.status(false);
    this.handlers.clear();
  }
}
