import { asReplicaId, type ReplicaId } from '@convergent/core';
import * as fc from 'fast-check';
import type { CrdtSpec } from './spec.js';

/**
 * A state together with the replica that holds it (or produced it, for a delta), so
 * that mutating it again uses the right id.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { Held } from '@convergent/laws';
 *
 * const held: Held<number> = { state: 3, replica: asReplicaId('a') };
 * held.state; // => 3
 * ```
 */
export interface Held<S> {
  /** The state. */
  readonly state: S;
  /** Who holds it. */
  readonly replica: ReplicaId;
}

/**
 * The outcome of simulating several replicas: every state any replica passed
 * through, every delta produced, and the final states. All of them are reachable,
 * and all come from one consistent history, so they may be merged with each other.
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { maxRegisterSpec, universe } from '@convergent/laws';
 *
 * const [world] = fc.sample(universe(maxRegisterSpec), { seed: 1, numRuns: 1 });
 * world!.finals.length === world!.replicas.length; // => true
 * ```
 */
export interface Universe<S> {
  /** The replica ids, distinct. */
  readonly replicas: readonly ReplicaId[];
  /** Every state seen: initial, intermediate, final, and every delta. */
  readonly pool: readonly Held<S>[];
  /** Every delta produced, in production order. */
  readonly deltas: readonly S[];
  /** Each replica's final state. */
  readonly finals: readonly S[];
}

type Step<Op> =
  | { readonly kind: 'op'; readonly at: number; readonly op: Op }
  | { readonly kind: 'merge'; readonly from: number; readonly to: number }
  | { readonly kind: 'deliver'; readonly to: number; readonly delta: number };

// Ids that exercise ordering: mixed case, digits, non-ASCII.
const IDS = ['a', 'b', 'c', 'Zed', 'é', '0', 'replica-long-name'].map(asReplicaId);

/** 2 to 4 distinct replica ids. */
export const replicaIds = fc.shuffledSubarray(IDS, { minLength: 2, maxLength: 4 });

/**
 * Random reachable histories of a CRDT: 2 to 4 replicas with distinct ids perform
 * random operations, merge each other's full states, and receive each other's deltas
 * in any order, more than once.
 *
 * @param spec - the type under test
 * @param maxSteps - the longest history
 * @returns an arbitrary of {@link Universe}s
 *
 * @example
 * ```ts
 * import * as fc from 'fast-check';
 * import { maxRegisterSpec, universe } from '@convergent/laws';
 *
 * const [world] = fc.sample(universe(maxRegisterSpec, 20), { seed: 7, numRuns: 1 });
 * world!.replicas.length >= 2; // => true
 * ```
 */
export function universe<S, Op>(spec: CrdtSpec<S, Op>, maxSteps = 24): fc.Arbitrary<Universe<S>> {
  const index = fc.nat(1000);
  const step: fc.Arbitrary<Step<Op>> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('op' as const), at: index, op: spec.operation }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), from: index, to: index }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('deliver' as const), to: index, delta: index }) },
  );
  return fc
    .record({
      replicas: replicaIds,
      steps: fc.array(step, { maxLength: maxSteps }),
    })
    .map(({ replicas, steps }) => simulate(spec, replicas, steps));
}

function simulate<S, Op>(spec: CrdtSpec<S, Op>, replicas: readonly ReplicaId[], steps: readonly Step<Op>[]): Universe<S> {
  const { lattice } = spec;
  const states = replicas.map(() => lattice.bottom);
  const pool: Held<S>[] = replicas.map((replica) => ({ state: lattice.bottom, replica }));
  const deltas: S[] = [];
  const owners: ReplicaId[] = [];
  const n = replicas.length;
  for (const step of steps) {
    if (step.kind === 'op') {
      const at = step.at % n;
      const delta = spec.mutate(states[at]!, step.op, replicas[at]!);
      deltas.push(delta);
      owners.push(replicas[at]!);
      pool.push({ state: delta, replica: replicas[at]! });
      states[at] = lattice.merge(states[at]!, delta);
      pool.push({ state: states[at]!, replica: replicas[at]! });
    } else if (step.kind === 'merge') {
      const to = step.to % n;
      states[to] = lattice.merge(states[to]!, states[step.from % n]!);
      pool.push({ state: states[to]!, replica: replicas[to]! });
    } else if (deltas.length > 0) {
      const to = step.to % n;
      states[to] = lattice.merge(states[to]!, deltas[step.delta % deltas.length]!);
      pool.push({ state: states[to]!, replica: replicas[to]! });
    }
  }
  return { replicas, pool, deltas, finals: states };
}
