import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * How simulated links misbehave. Probabilities apply per message and recipient.
 *
 * @example
 * ```ts
 * import type { LinkOptions } from '@convergent/laws';
 *
 * const lossy: LinkOptions = { seed: 1, drop: 0.1, duplicate: 0.05, maxDelay: 3 };
 * lossy.drop; // => 0.1
 * ```
 */
export interface LinkOptions {
  /** Seed of the links' random choices: the same seed and calls replay the same run. */
  readonly seed: number;
  /** Probability that a message is lost (default 0). */
  readonly drop?: number;
  /** Probability that a message is delivered twice (default 0). */
  readonly duplicate?: number;
  /** Most extra ticks a message may wait; random delays reorder messages (default 0). */
  readonly maxDelay?: number;
}

/**
 * What simulated links have done so far.
 *
 * @example
 * ```ts
 * import type { NetworkStats } from '@convergent/laws';
 *
 * const none: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
 * none.sent; // => 0
 * ```
 */
export interface NetworkStats {
  /** Messages sent, once per recipient. */
  sent: number;
  /** Messages delivered (a duplicate counts twice). */
  delivered: number;
  /** Messages lost to the link or to a partition. */
  dropped: number;
  /** Messages delivered twice. */
  duplicated: number;
}

interface InFlight<M> {
  readonly from: string;
  readonly to: string;
  readonly message: M;
  readonly at: number;
  readonly seq: number;
}

/**
 * Deterministic, seeded point-to-point links that carry any kind of message (lattice
 * states, bytes of a sync protocol…) between named nodes: they drop, duplicate, delay
 * and so reorder messages, and partitions cut them until healed. {@link Network} runs
 * replicas of a lattice over them; a transport for your own protocol can too.
 *
 * @typeParam M - the message type
 *
 * @example
 * ```ts
 * import { Links } from '@convergent/laws';
 *
 * const links = new Links<string>({ seed: 3, maxDelay: 2 });
 * const inbox: string[] = [];
 * links.send('a', 'b', 'hello');
 * links.tick((to, message) => inbox.push(`${to}:${message}`), 3);
 * inbox; // => ['b:hello']
 * ```
 */
export class Links<M> {
  /** Counters of what the links did. */
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  private readonly rng;
  private readonly drop: number;
  private readonly duplicate: number;
  private readonly maxDelay: number;
  private groups: Map<string, number> | undefined;
  private queue: InFlight<M>[] = [];
  private now = 0;
  private seq = 0;

  /** @param options - seed and misbehaviour */
  constructor(options: LinkOptions) {
    for (const p of [options.drop, options.duplicate])
      if (p !== undefined && !(p >= 0 && p < 1)) throw new RangeError('probabilities must be in [0, 1)');
    this.rng = xoroshiro128plus(options.seed | 0);
    this.drop = options.drop ?? 0;
    this.duplicate = options.duplicate ?? 0;
    this.maxDelay = options.maxDelay ?? 0;
  }

  /** Ticks elapsed. */
  get time(): number {
    return this.now;
  }

  /** Messages in flight. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** The longest a message can wait, in ticks: after this many ticks, all sent so far is delivered or lost. */
  get latency(): number {
    return this.maxDelay + 1;
  }

  private chance(p: number): boolean {
    return p > 0 && uniformInt(this.rng, 0, 999_999) < p * 1_000_000;
  }

  /**
   * Sends one message; it may be lost, duplicated or delayed.
   * @param from - the sender
   * @param to - the recipient
   * @param message - the message
   */
  send(from: string, to: string, message: M): void {
    this.stats.sent++;
    if (this.chance(this.drop)) {
      this.stats.dropped++;
      return;
    }
    const copies = this.chance(this.duplicate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      const delay = this.maxDelay > 0 ? uniformInt(this.rng, 0, this.maxDelay) : 0;
      this.queue.push({ from, to, message, at: this.now + 1 + delay, seq: this.seq++ });
    }
  }

  /**
   * Advances time, handing every message that is due to `deliver` (and losing those
   * that would cross a partition).
   * @param deliver - called with each delivered message
   * @param ticks - how many ticks (default 1)
   */
  tick(deliver: (to: string, message: M, from: string) => void, ticks = 1): void {
    for (let t = 0; t < ticks; t++) {
      this.now++;
      const due = this.queue.filter((m) => m.at <= this.now).sort((p, q) => p.at - q.at || p.seq - q.seq);
      this.queue = this.queue.filter((m) => m.at > this.now);
      for (const m of due) {
        if (!this.connected(m.from, m.to)) {
          this.stats.dropped++;
          continue;
        }
        this.stats.delivered++;
        deliver(m.to, m.message, m.from);
      }
    }
  }

  /**
   * Whether two nodes can reach each other now.
   * @param a - one node
   * @param b - another
   * @returns `false` when a partition separates them
   */
  connected(a: string, b: string): boolean {
    return this.groups === undefined || (this.groups.get(a) ?? -1) === (this.groups.get(b) ?? -1);
  }

  /**
   * Splits the nodes: nodes in different groups cannot reach each other until
   * {@link Links.heal}. Nodes not named form one more group together.
   * @param groups - disjoint groups of node names
   */
  partition(...groups: string[][]): void {
    this.groups = new Map(groups.flatMap((members, g) => members.map((id) => [id, g] as const)));
  }

  /** Ends every partition. */
  heal(): void {
    this.groups = undefined;
  }
}
