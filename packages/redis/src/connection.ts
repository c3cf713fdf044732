import { createHash } from 'node:crypto';
import { createClient, RESP_TYPES, type RedisClientType } from '@redis/client';

/**
 * How the Redis store and fan-out reach Redis.
 *
 * @example
 * ```ts
 * import type { RedisOptions } from '@convergent/redis';
 *
 * const options: RedisOptions = { url: 'redis://127.0.0.1:6379', prefix: 'notes-app:' };
 * options.prefix; // => 'notes-app:'
 * ```
 */
export interface RedisOptions {
  /** A `redis://` or `rediss://` URL (user, password and database number may be in it). */
  readonly url: string;
  /** Put before every key and channel, so several apps can share one Redis. Default `convergent:`. */
  readonly prefix?: string;
  /**
   * Called with connection errors. The client reconnects by itself; meanwhile commands
   * wait in its queue, and the server acknowledges nothing. Default: ignored.
   */
  readonly onError?: (error: unknown) => void;
}

/** The client type both modules use. */
export type Client = RedisClientType;

/** Connects a client that reports errors to `onError` instead of crashing the process. */
export async function connect(options: RedisOptions): Promise<Client> {
  const client: Client = createClient({ url: options.url });
  client.on('error', (error: unknown) => options.onError?.(error));
  await client.connect();
  return client;
}

/** Bulk strings come back as Buffers: documents are bytes, not text. */
const asBuffers = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

/**
 * A Lua script run by EVALSHA, sent whole (EVAL) only when Redis does not know it yet
 * (first use, or after a Redis restart). A script runs atomically: nothing else runs
 * between its commands.
 */
export function script(source: string): (client: Client, keys: readonly string[], args: readonly (string | Buffer)[]) => Promise<unknown> {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (client, keys, args) => {
    const rest = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand(['EVALSHA', sha, ...rest], asBuffers);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.sendCommand(['EVAL', source, ...rest], asBuffers);
    }
  };
}

/** Runs one command with bulk replies as Buffers. */
export function command(client: Client, args: readonly (string | Buffer)[]): Promise<unknown> {
  return client.sendCommand(args, asBuffers);
}
