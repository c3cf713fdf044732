import type { Lattice, ReplicaId } from '@convergent/core';
import { Links, type LinkOptions, type NetworkStats } from './links.js';

/**
 * How a simulated {@link Network} behaves: its replicas and lattice, and how its
 * links misbehave.
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
export interface NetworkOptions<S> extends LinkOptions {
  /** The replicas' lattice. */
  readonly lattice: Lattice<S>;
  /** Distinct replica ids. */
  readonly replicas: readonly ReplicaId[];
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
  private readonly lattice: Lattice<S>;
  private readonly states = new Map<ReplicaId, S>();
  private readonly links: Links<S>;

  /** @param options - replicas, lattice, seed and link behaviour */
  constructor(options: NetworkOptions<S>) {
    if (new Set(options.replicas).size !== options.replicas.length) throw new RangeError('replica ids must be distinct');
    this.links = new Links(options);
    this.lattice = options.lattice;
    for (const id of options.replicas) this.states.set(id, this.lattice.bottom);
  }

  /** Counters of what the network did. */
  get stats(): NetworkStats {
    return this.links.stats;
  }

  /** The replica ids, in the order given. */
  get replicas(): ReplicaId[] {
    return [...this.states.keys()];
  }

  /** Ticks elapsed. */
  get time(): number {
    return this.links.time;
  }

  /** Messages in flight. */
  get inFlight(): number {
    return this.links.inFlight;
  }

  /**
   * The current state of one replica.
   * @param replica - the replica
   * @returns its state
   */
  state(replica: ReplicaId): S {
    if (!this.states.has(replica)) throw new RangeError(`unknown replica ${replica}`);
    return this.states.get(replica) as S;
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
    for (const to of this.states.keys()) if (to !== from) this.links.send(from, to, state);
  }

  /**
   * Advances time, merging every message that is due into its recipient.
   * @param ticks - how many ticks (default 1)
   */
  tick(ticks = 1): void {
    this.links.tick((to, state) => this.states.set(to as ReplicaId, this.lattice.merge(this.state(to as ReplicaId), state)), ticks);
  }

  /**
   * Splits the network: replicas in different groups cannot reach each other until
   * {@link Network.heal}. Replicas not named form one more group together.
   * @param groups - disjoint groups of replica ids
   */
  partition(...groups: ReplicaId[][]): void {
    this.links.partition(...groups);
  }

  /** Ends every partition. */
  heal(): void {
    this.links.heal();
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
      this.tick(this.links.latency);
      if (this.converged()) {
        this.tick(this.links.latency);
        if (this.converged()) return round;
      }
    }
    throw new Error(`replicas did not converge within ${maxRounds} anti-entropy rounds`);
  }
}
