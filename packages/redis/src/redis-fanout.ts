import { randomBytes } from 'node:crypto';
import { StoreClosedError, type Fanout } from '@convergent/server';
import { command, connect, type Client, type RedisOptions } from './connection.js';

/** Bytes of the sender id at the head of every message. */
const ID_BYTES = 16;

/**
 * A {@link Fanout} over Redis pub/sub: one channel per document, carrying the deltas
 * each process accepted from its own clients, one for their presence (carets and
 * selections, never stored), and one channel of deletions for every document. Every message starts with the sending
 * process's random id, so a process drops its own messages, and `subscribe` hands
 * others' deltas to the server, which merges and forwards them to its clients but never
 * publishes them: every delta crosses Redis once, and no message can loop.
 *
 * Pub/sub delivers at most once: a process that was disconnected from Redis misses what
 * was published meanwhile. The durable record is the {@link RedisStore}; deltas are
 * idempotent, so a process catches up by loading the document again.
 *
 * @example
 * ```ts
 * import { RedisFanout } from '@convergent/redis';
 *
 * async function relay(url: string): Promise<void> {
 *   const fanout = await RedisFanout.connect({ url });
 *   const stop = await fanout.subscribe('notes', (delta) => console.log('from another process', delta));
 *   await fanout.publish('notes', new Uint8Array([1])); // not heard by this process
 *   await stop();
 *   await fanout.close();
 * }
 * typeof relay; // => 'function'
 * ```
 */
export class RedisFanout implements Fanout {
  readonly #publisher: Client;
  readonly #subscriber: Client;
  readonly #prefix: string;
  readonly #id = randomBytes(ID_BYTES);
  #closed = false;

  private constructor(publisher: Client, subscriber: Client, prefix: string) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#prefix = prefix;
  }

  /**
   * Connects twice to Redis: a connection that subscribes can send nothing else.
   *
   * @example
   * ```ts
   * import { RedisFanout } from '@convergent/redis';
   *
   * const open = (url: string) => RedisFanout.connect({ url, prefix: 'my-app:' });
   * typeof open; // => 'function'
   * ```
   */
  static async connect(options: RedisOptions): Promise<RedisFanout> {
    const publisher = await connect(options);
    try {
      return new RedisFanout(publisher, await connect(options), options.prefix ?? 'convergent:');
    } catch (error) {
      await publisher.close();
      throw error;
    }
  }

  publish(doc: string, delta: Uint8Array): Promise<void> {
    return this.#publish(this.#channel('deltas', doc), delta);
  }

  subscribe(doc: string, onDelta: (delta: Uint8Array) => void): Promise<() => Promise<void>> {
    return this.#subscribe(this.#channel('deltas', doc), onDelta);
  }

  /**
   * Sends a presence frame to the other processes, on the document's presence channel.
   *
   * @example
   * ```ts
   * import { RedisFanout } from '@convergent/redis';
   *
   * async function carets(url: string): Promise<void> {
   *   const fanout = await RedisFanout.connect({ url });
   *   const stop = await fanout.subscribePresence('notes', (frame) => console.log('a caret from another process', frame));
   *   await fanout.publishPresence('notes', new Uint8Array([1])); // not heard by this process
   *   await stop();
   *   await fanout.close();
   * }
   * typeof carets; // => 'function'
   * ```
   */
  publishPresence(doc: string, frame: Uint8Array): Promise<void> {
    return this.#publish(this.#channel('presence', doc), frame);
  }

  /**
   * Delivers the presence frames other processes publish for `doc`; resolves to an
   * unsubscribe function.
   *
   * @example
   * ```ts
   * import { RedisFanout } from '@convergent/redis';
   *
   * const listen = async (fanout: RedisFanout) => fanout.subscribePresence('notes', () => {});
   * typeof listen; // => 'function'
   * ```
   */
  subscribePresence(doc: string, onFrame: (frame: Uint8Array) => void): Promise<() => Promise<void>> {
    return this.#subscribe(this.#channel('presence', doc), onFrame);
  }

  /**
   * Tells the other processes that this one deleted `doc`, on the deletions channel (one
   * for every document), so that they close their connections to it and unload it too.
   *
   * @example
   * ```ts
   * import { RedisFanout } from '@convergent/redis';
   *
   * async function deleted(url: string): Promise<void> {
   *   const fanout = await RedisFanout.connect({ url });
   *   const stop = await fanout.subscribeDeletes((doc) => console.log('deleted by another process', doc));
   *   await fanout.publishDelete('notes'); // not heard by this process
   *   await stop();
   *   await fanout.close();
   * }
   * typeof deleted; // => 'function'
   * ```
   */
  publishDelete(doc: string): Promise<void> {
    return this.#publish(this.#channel('deletes'), Buffer.from(doc));
  }

  /**
   * Delivers the names of the documents other processes delete; resolves to an
   * unsubscribe function.
   *
   * @example
   * ```ts
   * import { RedisFanout } from '@convergent/redis';
   *
   * const listen = async (fanout: RedisFanout) => fanout.subscribeDeletes((doc) => console.log(doc));
   * typeof listen; // => 'function'
   * ```
   */
  subscribeDeletes(onDelete: (doc: string) => void): Promise<() => Promise<void>> {
    return this.#subscribe(this.#channel('deletes'), (bytes) => onDelete(Buffer.from(bytes).toString()));
  }

  async #publish(channel: string, bytes: Uint8Array): Promise<void> {
    this.#open();
    await command(this.#publisher, ['PUBLISH', channel, Buffer.concat([this.#id, bytes])]);
  }

  async #subscribe(channel: string, onMessage: (bytes: Uint8Array) => void): Promise<() => Promise<void>> {
    this.#open();
    const listener = (message: Buffer): void => {
      if (message.length < ID_BYTES || message.subarray(0, ID_BYTES).equals(this.#id)) return;
      onMessage(new Uint8Array(message.subarray(ID_BYTES)));
    };
    await this.#subscriber.subscribe(channel, listener, true);
    let subscribed = true;
    return async () => {
      if (!subscribed || this.#closed) return;
      subscribed = false;
      await this.#subscriber.unsubscribe(channel, listener, true);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#subscriber.close(), this.#publisher.close()]);
  }

  #open(): void {
    if (this.#closed) throw new StoreClosedError('the fan-out is closed');
  }

  /** A document's channel of deltas or presence, or the channel of deletions (every document). */
  #channel(kind: 'deltas' | 'presence' | 'deletes', doc?: string): string {
    return doc === undefined ? `${this.#prefix}${kind}` : `${this.#prefix}${kind}:${doc}`;
  }
}
