import type { ReplicaId } from '@convergent/core';
import type { SendOptions, Transport, TransportHandlers } from './transport.js';

/**
 * How a {@link MemoryNetwork} misbehaves. Probabilities apply per message and
 * recipient.
 *
 * @example
 * ```ts
 * import type { MemoryNetworkOptions } from '@convergent/sync';
 *
 * const lossy: MemoryNetworkOptions = { seed: 42, drop: 0.2, duplicate: 0.1, maxDelay: 5 };
 * lossy.drop; // => 0.2
 * ```
 */
export interface MemoryNetworkOptions {
  /** Seed of the network's random choices: the same seed and calls replay the same run (default 1). */
  readonly seed?: number;
  /** Probability that a message is lost (default 0). */
  readonly drop?: number;
  /** Probability that a message is delivered twice (default 0). */
  readonly duplicate?: number;
  /** Most extra ticks a message may wait; random delays reorder messages (default 0). */
  readonly maxDelay?: number;
}

/**
 * What a {@link MemoryNetwork} has done so far.
 *
 * @example
 * ```ts
 * import type { MemoryNetworkStats } from '@convergent/sync';
 *
 * const none: MemoryNetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, bytesDelivered: 0, addressed: 0 };
 * none.sent; // => 0
 * ```
 */
export interface MemoryNetworkStats {
  /** Messages sent, counted once per recipient. */
  sent: number;
  /** Messages delivered (a duplicate counts twice). */
  delivered: number;
  /** Messages lost to the link, a partition or an endpoint being offline. */
  dropped: number;
  /** Messages delivered twice. */
  duplicated: number;
  /** Bytes delivered. */
  bytesDelivered: number;
  /** Messages routed to their addressee alone, counted once per send. */
  addressed: number;
}

interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
  readonly at: number;
  readonly seq: number;
}

class Endpoint implements Transport {
  readonly handlers = new Set<TransportHandlers>();
  online = true;
  constructor(
    readonly name: string,
    private readonly post: (from: string, bytes: Uint8Array, options: SendOptions) => void,
  ) {}
  get connected(): boolean {
    return this.online;
  }
  send(bytes: Uint8Array, options: SendOptions = {}): void {
    this.post(this.name, bytes, options);
  }
  listen(handlers: TransportHandlers): () => void {
    this.handlers.add(handlers);
    return () => this.handlers.delete(handlers);
  }
}

/**
 * A deterministic in-memory network for tests and simulations: every endpoint's
 * message goes to every other endpoint, through links that drop, duplicate, delay
 * and reorder messages under a seeded random generator. Partitions cut links and
 * endpoints can go offline, until healed. Nothing happens between calls:
 * {@link MemoryNetwork.tick} delivers what is due.
 *
 * It routes like the relay: the network learns which endpoint each replica id is
 * on from the `from` of what the endpoint sends (the first endpoint to send as an
 * id keeps it), and a message sent with `to` reaches only the endpoint of that
 * replica; to an id not seen yet, it goes to every endpoint. Endpoint names are
 * only names: they need not be replica ids. {@link MemoryNetwork.stats} counts
 * every delivery, so a test can assert what a protocol step costs.
 *
 * @example
 * ```ts
 * import { MemoryNetwork } from '@convergent/sync';
 *
 * const net = new MemoryNetwork({ seed: 3, maxDelay: 2 });
 * const a = net.transport('a');
 * const b = net.transport('b');
 * const got: number[] = [];
 * b.listen({ message: (bytes) => got.push(bytes[0]!), status: () => {} });
 * a.send(new Uint8Array([7]));
 * net.flush();
 * got; // => [7]
 * ```
 */
export class MemoryNetwork {
  /** Counters of what the network did. */
  readonly stats: MemoryNetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, bytesDelivered: 0, addressed: 0 };
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly group = new Map<string, number>();
  /** Replica id -> endpoint name, learned from `from`. */
  private readonly owners = new Map<ReplicaId, string>();
  private readonly drop: number;
  private readonly duplicate: number;
  private readonly maxDelay: number;
  private rng: number;
  private queue: Envelope[] = [];
  private now = 0;
  private seq = 0;

  /** @param options - seed and link behaviour */
  constructor(options: MemoryNetworkOptions = {}) {
    for (const p of [options.drop, options.duplicate])
      if (p !== undefined && !(p >= 0 && p < 1)) throw new RangeError('probabilities must be in [0, 1)');
    const maxDelay = options.maxDelay ?? 0;
    if (!Number.isSafeInteger(maxDelay) || maxDelay < 0) throw new RangeError('maxDelay must be a non-negative integer');
    this.drop = options.drop ?? 0;
    this.duplicate = options.duplicate ?? 0;
    this.maxDelay = maxDelay;
    this.rng = (options.seed ?? 1) | 0;
  }

  /** Ticks elapsed. */
  get time(): number {
    return this.now;
  }

  /** Messages in flight. */
  get inFlight(): number {
    return this.queue.length;
  }

  /**
   * A new endpoint on the network.
   * @param name - a name unique on this network
   * @returns its transport
   */
  transport(name: string): Transport {
    if (this.endpoints.has(name)) throw new RangeError(`endpoint ${name} exists`);
    const endpoint = new Endpoint(name, (from, bytes, options) => this.post(from, bytes, options));
    this.endpoints.set(name, endpoint);
    this.group.set(name, 0);
    return endpoint;
  }

  /**
   * Takes an endpoint offline (its messages, in and out, are lost) or back online,
   * telling its listeners.
   * @param name - the endpoint
   * @param online - the new status
   */
  setOnline(name: string, online: boolean): void {
    const endpoint = this.endpoint(name);
    if (endpoint.online === online) return;
    endpoint.online = online;
    for (const h of [...endpoint.handlers]) h.status(online);
  }

  /**
   * Splits the network: endpoints in different groups cannot reach each other until
   * {@link MemoryNetwork.heal}. Endpoints not named form one more group.
   * @param groups - disjoint groups of endpoint names
   */
  partition(...groups: string[][]): void {
    for (const name of this.endpoints.keys()) this.group.set(name, groups.length);
    groups.forEach((members, g) => members.forEach((name) => this.group.set(this.endpoint(name).name, g)));
  }

  /** Ends every partition. */
  heal(): void {
    for (const name of this.endpoints.keys()) this.group.set(name, 0);
  }

  /**
   * Advances time, delivering every message that is due, in due order. Messages sent
   * while delivering are due on a later tick.
   * @param ticks - how many ticks (default 1)
   */
  tick(ticks = 1): void {
    for (let t = 0; t < ticks; t++) {
      this.now++;
      const due = this.queue.filter((m) => m.at <= this.now).sort((p, q) => p.at - q.at || p.seq - q.seq);
      this.queue = this.queue.filter((m) => m.at > this.now);
      for (const m of due) {
        const to = this.endpoints.get(m.to)!;
        if (!to.online || !this.endpoint(m.from).online || this.group.get(m.from) !== this.group.get(m.to)) {
          this.stats.dropped++;
          continue;
        }
        this.stats.delivered++;
        this.stats.bytesDelivered += m.bytes.length;
        for (const h of [...to.handlers]) h.message(m.bytes.slice());
      }
    }
  }

  /**
   * Ticks until nothing is in flight.
   * @param maxTicks - give up after this many ticks
   * @returns the ticks it took
   * @throws Error if messages are still in flight after `maxTicks`
   */
  flush(maxTicks = 10_000): number {
    for (let t = 0; t < maxTicks; t++) {
      if (this.queue.length === 0) return t;
      this.tick();
    }
    if (this.queue.length === 0) return maxTicks;
    throw new Error(`network still busy after ${maxTicks} ticks`);
  }

  /**
   * The endpoint a replica id was learned on, if any.
   * @param id - a replica id
   * @returns the name of the endpoint that first sent as `id`
   */
  endpointOf(id: ReplicaId): string | undefined {
    return this.owners.get(id);
  }

  private post(from: string, bytes: Uint8Array, options: SendOptions): void {
    if (!this.endpoint(from).online) return;
    if (options.from !== undefined && !this.owners.has(options.from)) this.owners.set(options.from, from);
    const owner = options.to === undefined ? undefined : this.owners.get(options.to);
    if (owner !== undefined) this.stats.addressed++;
    for (const to of owner === undefined ? this.endpoints.keys() : [owner]) {
      if (to === from) continue;
      this.stats.sent++;
      if (this.chance(this.drop)) {
        this.stats.dropped++;
        continue;
      }
      const copies = this.chance(this.duplicate) ? 2 : 1;
      if (copies === 2) this.stats.duplicated++;
      for (let c = 0; c < copies; c++) {
        const delay = this.maxDelay > 0 ? this.random() % (this.maxDelay + 1) : 0;
        this.queue.push({ from, to, bytes: bytes.slice(), at: this.now + 1 + delay, seq: this.seq++ });
      }
    }
  }

  private endpoint(name: string): Endpoint {
    const endpoint = this.endpoints.get(name);
    if (endpoint === undefined) throw new RangeError(`unknown endpoint ${name}`);
    return endpoint;
  }

  // mulberry32: small, fast, good enough for simulations.
  private random(): number {
    this.rng = (this.rng + 0x6d2b79f5) | 0;
    let t = this.rng;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  private chance(p: number): boolean {
    return p > 0 && this.random() / 2 ** 32 < p;
  }
}
