import { createHash } from 'node:crypto';
import { createClient, RESP_TYPES, TimeoutError, type RedisClientType } from '@redis/client';

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
  /**
   * How long a command may wait in the client's queue to be sent to Redis, in
   * milliseconds; past it the operation fails (and the server acknowledges nothing).
   * Default: no limit. A command waits while Redis is being reconnected, and during a
   * burst, where Redis and the socket set the pace: thousands of clients editing at
   * once queue thousands of appends, and a limit would fail the last of them on a
   * loaded machine rather than store them a moment later. (`@redis/client` itself
   * would default to 5 s.) Once sent, a command is answered or fails with its
   * connection. Without a limit, a graceful shutdown also waits for Redis to come back.
   */
  readonly commandTimeoutMs?: number;
}

/** The client type both modules use. */
export type Client = RedisClientType;

/** Connects a client that reports errors to `onError` instead of crashing the process. */
export async function connect(options: RedisOptions): Promise<Client> {
  const timeout = options.commandTimeoutMs;
  if (timeout !== undefined && !(timeout > 0 && Number.isFinite(timeout))) {
    throw new RangeError(`RedisOptions.commandTimeoutMs must be a positive number of milliseconds, got ${timeout}`);
  }
  // The client sets a command's timer only for a positive timeout: 0 is none.
  const client: Client = createClient({ url: options.url, commandOptions: { timeout: timeout ?? 0 } });
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
      return await command(client, ['EVALSHA', sha, ...rest]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return command(client, ['EVAL', source, ...rest]);
    }
  };
}

/** Runs one command with bulk replies as Buffers; a timeout gets a message (the client's has none). */
export async function command(client: Client, args: readonly (string | Buffer)[]): Promise<unknown> {
  try {
    return await client.sendCommand(args, asBuffers);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw new Error(`Redis ${String(args[0])}: still waiting to be sent after RedisOptions.commandTimeoutMs`, { cause: error });
  }
}
