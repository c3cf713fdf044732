/**
 * What one client, and one address, may cost the server. Past a rate, the connection
 * is closed (`1008`, reason `rate`); past `maxQueuedBytes` of unsent data (a slow
 * reader) it is cut, and its next sync repairs what it missed.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS, type ServerLimits } from '@convergent/server';
 *
 * const strict: ServerLimits = { ...DEFAULT_LIMITS, maxConnectionsPerAddress: 10 };
 * strict.maxConnectionsPerAddress; // => 10
 * ```
 */
export interface ServerLimits {
  /** Most open connections in all (counted from the upgrade request, before authentication). */
  readonly maxConnections: number;
  /** Most open connections from one address. */
  readonly maxConnectionsPerAddress: number;
  /** Largest frame a client may send, in bytes; a larger one closes the connection (`1009`). */
  readonly maxMessageBytes: number;
  /** Messages per second one connection may send, on average (a burst of 4 seconds' worth is allowed). */
  readonly messagesPerSecond: number;
  /** Bytes per second one connection may send, on average (same burst). */
  readonly bytesPerSecond: number;
  /** Messages per second all connections of one address may send together. */
  readonly messagesPerSecondPerAddress: number;
  /** Bytes per second all connections of one address may send together. */
  readonly bytesPerSecondPerAddress: number;
  /** Most bytes queued for one client that it has not read yet; past it the client is cut. Also the most bytes of a client's messages waiting behind a replica-id lookup in the store; past it the connection is closed (`1013`). */
  readonly maxQueuedBytes: number;
  /** Time the authentication hook (and the HTTP request before it) may take, in ms. */
  readonly authTimeoutMs: number;
  /** A connection that sends nothing (not even a ping) for this long is cut, in ms; the client transport pings every 10 s. */
  readonly idleMs: number;
  /** Most replica ids one connection may use. */
  readonly maxReplicasPerConnection: number;
}

/**
 * The defaults: 10,000 connections, 50 per address, 4 MiB frames, 200 messages and
 * 4 MiB per second per connection, 1,000 messages and 16 MiB per second per address,
 * 8 MiB queued per client, 10 s to authenticate, 60 s of silence, 16 replica ids per
 * connection.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from '@convergent/server';
 *
 * DEFAULT_LIMITS.maxConnectionsPerAddress; // => 50
 * ```
 */
export const DEFAULT_LIMITS: ServerLimits = Object.freeze({
  maxConnections: 10_000,
  maxConnectionsPerAddress: 50,
  maxMessageBytes: 1 << 22,
  messagesPerSecond: 200,
  bytesPerSecond: 1 << 22,
  messagesPerSecondPerAddress: 1000,
  bytesPerSecondPerAddress: 1 << 24,
  maxQueuedBytes: 1 << 23,
  authTimeoutMs: 10_000,
  idleMs: 60_000,
  maxReplicasPerConnection: 16,
});

/** Seconds of average rate a bucket may spend at once. */
const BURST_SECONDS = 4;

/** A token bucket: `take` fails once more than the rate (plus its burst) was spent. */
export class Bucket {
  #tokens: number;
  #at = performance.now();
  readonly #rate: number;

  constructor(perSecond: number) {
    this.#rate = perSecond;
    this.#tokens = perSecond * BURST_SECONDS;
  }

  take(amount: number): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#rate * BURST_SECONDS, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    if (this.#tokens < amount) return false;
    this.#tokens -= amount;
    return true;
  }
}

/** Merges partial limits over the defaults, checking each is a positive number. */
export function resolveLimits(given: Partial<ServerLimits> | undefined): ServerLimits {
  const limits = { ...DEFAULT_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) if (!(typeof value === 'number' && value > 0)) throw new RangeError(`limits.${name} must be a positive number`);
  return limits;
}
