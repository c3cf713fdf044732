import type { Fanout } from './store.js';
import { StoreClosedError } from './store.js';

type Listener = { readonly from: object; readonly onDelta: (bytes: Uint8Array) => void };

/**
 * An in-process {@link Fanout} hub: each `process()` is the fan-out of one server, and a
 * delta one publishes reaches every other subscribed process, never its sender. For
 * tests of several servers in one process; across real processes use the Redis fan-out.
 * Delivery is synchronous and copies the bytes.
 *
 * @example
 * ```ts
 * import { MemoryFanout } from '@convergent/server';
 *
 * const hub = new MemoryFanout();
 * const [a, b] = [hub.process(), hub.process()];
 * let heard = 0;
 * const stop = await b.subscribe('doc', () => heard++);
 * await a.publish('doc', new Uint8Array([1]));
 * await stop();
 * await a.publish('doc', new Uint8Array([2]));
 * heard; // => 1
 * let carets = 0;
 * await b.subscribePresence?.('doc', () => carets++); // presence: a channel of its own
 * await a.publishPresence?.('doc', new Uint8Array([3]));
 * [heard, carets]; // => [1, 1]
 * const deleted: string[] = [];
 * await b.subscribeDeletes?.((doc) => deleted.push(doc)); // deletions: one channel for every document
 * await a.publishDelete?.('doc');
 * deleted; // => ['doc']
 * ```
 */
export class MemoryFanout {
  /** Listeners by channel: the kind of message and the document. */
  readonly #listeners = new Map<string, Set<Listener>>();

  /** A new process's fan-out, sharing this hub (deltas, presence and deletions, on separate channels). */
  process(): Fanout {
    const self = {};
    const mine = new Map<Listener, string>();
    let closed = false;
    const open = (): void => {
      if (closed) throw new StoreClosedError('the fan-out is closed');
    };
    const remove = (channel: string, listener: Listener): void => {
      mine.delete(listener);
      const set = this.#listeners.get(channel);
      set?.delete(listener);
      if (set?.size === 0) this.#listeners.delete(channel);
    };
    const publish = async (channel: string, bytes: Uint8Array) => {
      open();
      for (const listener of [...(this.#listeners.get(channel) ?? [])]) if (listener.from !== self) listener.onDelta(bytes.slice());
    };
    const subscribe = async (channel: string, onDelta: (bytes: Uint8Array) => void) => {
      open();
      const listener: Listener = { from: self, onDelta };
      let set = this.#listeners.get(channel);
      if (set === undefined) this.#listeners.set(channel, (set = new Set()));
      set.add(listener);
      mine.set(listener, channel);
      return async () => remove(channel, listener);
    };
    return {
      publish: (doc, delta) => publish(`deltas:${doc}`, delta),
      subscribe: (doc, onDelta) => subscribe(`deltas:${doc}`, onDelta),
      publishPresence: (doc, frame) => publish(`presence:${doc}`, frame),
      subscribePresence: (doc, onFrame) => subscribe(`presence:${doc}`, onFrame),
      publishDelete: (doc) => publish('deletes', new TextEncoder().encode(doc)),
      subscribeDeletes: (onDelete) => subscribe('deletes', (bytes) => onDelete(new TextDecoder().decode(bytes))),
      close: async () => {
        closed = true;
        for (const [listener, channel] of [...mine]) remove(channel, listener);
      },
    };
  }
}
