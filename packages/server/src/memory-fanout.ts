import type { Fanout } from './store.js';
import { StoreClosedError } from './store.js';

type Listener = { readonly from: object; readonly onDelta: (delta: Uint8Array) => void };

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
 * ```
 */
export class MemoryFanout {
  readonly #listeners = new Map<string, Set<Listener>>();

  /** A new process's fan-out, sharing this hub. */
  process(): Fanout {
    const self = {};
    const mine = new Set<Listener>();
    let closed = false;
    const open = (): void => {
      if (closed) throw new StoreClosedError('the fan-out is closed');
    };
    const remove = (doc: string, listener: Listener): void => {
      mine.delete(listener);
      const set = this.#listeners.get(doc);
      set?.delete(listener);
      if (set?.size === 0) this.#listeners.delete(doc);
    };
    const docs = new Map<Listener, string>();
    return {
      publish: async (doc, delta) => {
        open();
        for (const listener of [...(this.#listeners.get(doc) ?? [])]) if (listener.from !== self) listener.onDelta(delta.slice());
      },
      subscribe: async (doc, onDelta) => {
        open();
        const listener: Listener = { from: self, onDelta };
        let set = this.#listeners.get(doc);
        if (set === undefined) this.#listeners.set(doc, (set = new Set()));
        set.add(listener);
        mine.add(listener);
        docs.set(listener, doc);
        return async () => remove(doc, listener);
      },
      close: async () => {
        closed = true;
        for (const listener of [...mine]) remove(docs.get(listener) ?? '', listener);
      },
    };
  }
}
