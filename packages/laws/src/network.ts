import type { Lattice, ReplicaId } from '@convergent/core';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * How a simulated {@link Network} behaves. Probabilities apply per message.
 *
 * @typeParam S - the state type the replicas hold
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { maxRegisterSpec, type NetworkOptions } from '@convergent/laws';
 *
 * const options: NetworkOptions<number> = {
 *   lattice: maxRegisterSpec.lattice,
 *   replicas: ['a', 'b'].map(asReplicaId),
 *   seed: 1,
 *   drop: 0.1,
 * };
 * options.replicas.length; // => 2
 * ```
 */
export interface NetworkOptions<S> {
  /** The replicas' lattice. */
  readonly lattice: Lattice<S>;
  /** Distinct replica ids. */
  readonly replicas: readonly ReplicaId[];
  /** Seed of the network's own random choices: the same seed replays the same run. */
  readonly seed: number;
  /** Probability that a message is lost (default 0). */
  readonly drop?: number;
  /** Probability that a message is delivered twice (default 0). */
  readonly duplicate?: number;
  /** Most ticks a message may wait before delivery; random delays reorder messages (default 0). */
  readonly maxDelay?: number;
}

/**
 * What a {@link Network} has done so far.
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
  /** Messages sent. */
  sent: number;
  /** Messages delivered (a duplicate counts twice). */
  delivered: number;
  /** Messages lost to the link or to a partition. */
  dropped: number;
  /** Messages delivered twice. */
  duplicated: number;
}

interface Message<S> {
  readonly to: ReplicaId;
  readonly from: ReplicaId;
  readonly state: S;
  readonly at: number;
  readonly seq: number;
}

/**
 * A deterministic, seeded network of replicas of one lattice type. Local updates
 * are applied at once and their deltas broadcast over links that drop, duplicate,
 * delay and reorder messages; partitions cut links until healed. {@link Network.settle}
 * heals and runs anti-entropy (full-state gossip over the same lossy links) until
 * every replica is equal.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { maxRegisterSpec, Network } from '@convergent/laws';
 *
 * const [a, b] = ['a', 'b'].map(asReplicaId) as [ReturnType<typeof asReplicaId>, ReturnType<typeof asReplicaId>];
 * const net = new Network({ lattice: maxRegisterSpec.lattice, replicas: [a, b], seed: 7, drop: 0.5 });
 * net.partition([a], [b]);
 * net.update(a, (state) => state + 5);
 * net.tick();
 * net.state(b); // => 0
 * net.settle();
 * net.state(b); // => 5
 * ```
 */
export class Network<S> {
  /** Counters of what the network did. */
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  private readonly lattice: Lattice<S>;
  private readonly states = new Map<ReplicaId, S>();
  private readonly rng;
  private readonly drop: number;
  private readonly duplicate: number;
  private readonly maxDelay: number;
  private readonly group = new Map<ReplicaId, number>();
  private queue: Message<S>[] = [];
  private now = 0;
  private seq = 0;

  /** @param options - replicas, lattice, seed and link behaviour */
  constructor(options: NetworkOptions<S>) {
    if (new Set(options.replicas).size !== options.replicas.length) throw new RangeError('replica ids must be distinct');
    for (const p of [options.drop, options.duplicate])
      if (p !== undefined && !(p >= 0 && p < 1)) throw new RangeError('probabilities must be in [0, 1)');
    this.lattice = options.lattice;
    this.rng = xoroshiro128plus(options.seed | 0);
    this.drop = options.drop ?? 0;
    this.duplicate = options.duplicate ?? 0;
    this.maxDelay = options.maxDelay ?? 0;
    for (const id of options.replicas) {
      this.states.set(id, this.lattice.bottom);
      this.group.set(id, 0);
    }
  }

  /** The replica ids, in the order given. */
  get replicas(): ReplicaId[] {
    return [...this.states.keys()];
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
   * The current state of one replica.
   * @param replica - the replica
   * @returns its state
   */
  state(replica: ReplicaId): S {
    const state = this.states.get(replica);
    if (state === undefined) throw new RangeError(`unknown replica ${replica}`);
    return state;
  }

  /**
   * Performs a local update at `replica`: applies the delta `mutate` returns and
   * broadcasts it to every other replica.
   * @param replica - the acting replica
   * @param mutate - a delta mutator
   * @returns the delta
   */
  update(replica: ReplicaId, mutate: (state: S, replica: ReplicaId) => S): S {
    const delta = mutate(this.state(replica), replica);
    this.states.set(replica, this.lattice.merge(this.state(replica), delta));
    this.broadcast(replica, delta);
    return delta;
  }

  /**
   * Sends `state` from one replica to all others over the lossy links.
   * @param from - the sender
   * @param state - a delta or a full state
   */
  broadcast(from: ReplicaId, state: S): void {
    for (const to of this.states.keys()) if (to !== from) this.send(from, to, state);
  }

  private chance(p: number): boolean {
    return p > 0 && uniformInt(this.rng, 0, 999_999) < p * 1_000_000;
  }

  private send(from: ReplicaId, to: ReplicaId, state: S): void {
    this.stats.sent++;
    if (this.chance(this.drop)) {
      this.stats.dropped++;
      return;
    }
    const copies = this.chance(this.duplicate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      const delay = this.maxDelay > 0 ? uniformInt(this.rng, 0, this.maxDelay) : 0;
      this.queue.push({ from, to, state, at: this.now + 1 + delay, seq: this.seq++ });
    }
  }

  /**
   * Advances time, delivering every message that is due (and losing those that
   * would cross a partition).
   * @param ticks - how many ticks (default 1)
   */
  tick(ticks = 1): void {
    for (let t = 0; t < ticks; t++) {
      this.now++;
      const due = this.queue.filter((m) => m.at <= this.now).sort((p, q) => p.at - q.at || p.seq - q.seq);
      this.queue = this.queue.filter((m) => m.at > this.now);
      for (const m of due) {
        if (this.group.get(m.from) !== this.group.get(m.to)) {
          this.stats.dropped++;
          continue;
        }
        this.stats.delivered++;
        this.states.set(m.to, this.lattice.merge(this.state(m.to), m.state));
      }
    }
  }

  /**
   * Splits the network: replicas in different groups cannot reach each other until
   * {@link Network.heal}. Replicas not named form one more group together.
   * @param groups - disjoint groups of replica ids
   */
  partition(...groups: ReplicaId[][]): void {
    for (const id of this.states.keys()) this.group.set(id, groups.length);
    groups.forEach((members, g) => members.forEach((id) => this.group.set(id, g)));
  }

  /** Ends every partition. */
  heal(): void {
    for (const id of this.states.keys()) this.group.set(id, 0);
  }

  /** One anti-entropy round: every replica sends its full state to every other. */
  gossip(): void {
    for (const [from, state] of this.states) this.broadcast(from, state);
  }

  /** Whether every replica holds an equal state. */
  converged(): boolean {
    const [first, ...rest] = [...this.states.values()];
    return rest.every((s) => this.lattice.equals(first as S, s));
  }

  /**
   * Heals every partition, then runs anti-entropy rounds until all replicas are
   * equal and nothing is in flight.
   * @param maxRounds - give up after this many rounds
   * @returns the number of rounds it took
   */
  settle(maxRounds = 1000): number {
    this.heal();
    for (let round = 1; round <= maxRounds; round++) {
      this.gossip();
      this.tick(this.maxDelay + 1);
      if (this.converged()) {
        this.tick(this.maxDelay + 1);
        if (this.converged()) return round;
      }
    }
    throw new Error(`replicas did not converge within ${maxRounds} anti-entropy rounds`);
  }
}
