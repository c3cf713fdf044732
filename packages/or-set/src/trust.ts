import type { ReplicaId } from '@convergent/core';
import { validateContext } from '@convergent/version-vector';
import type { ORSet } from './or-set.js';

/**
 * The replicas whose adds `delta` carries: the replicas of its live elements' dots.
 * The causal context is left out: it records what the sender observed (a remove
 * names the removed dots of other replicas), not events it created. An `add` delta
 * names only the adding replica; `remove` and `clear` deltas name none.
 *
 * @param delta - a delta or state
 * @returns the authoring replica ids, as a new set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const [a, b] = [asReplicaId('a'), asReplicaId('b')];
 * const state = ORSet.merge(ORSet.bottom, ORSet.add(ORSet.bottom, a, 'apple'));
 * [...ORSet.authors(ORSet.add(state, b, 'pear'))]; // => ['b']
 * ORSet.authors(ORSet.remove(state, b, 'apple')).size; // => 0
 * ```
 */
export function authors(delta: ORSet): ReadonlySet<ReplicaId> {
  const out = new Set<ReplicaId>();
  for (const dots of delta.entries.values()) for (const replica of dots.keys()) out.add(replica);
  return out;
}

/**
 * Throws unless every replica can still add after merging `delta` into `state`: no
 * dot counter in `delta`'s context (which holds every dot of its entries) may come
 * within 1 of `Number.MAX_SAFE_INTEGER` (`validateContext` of
 * `@convergent/version-vector`). `state`'s counters are already accepted and merge
 * takes the larger, so only `delta` is read: O(|delta|).
 *
 * @param state - the receiver's state
 * @param delta - the untrusted delta
 * @throws MergeRejectedError (from `@convergent/core`) otherwise; `state` is untouched
 *
 * @example
 * ```ts
 * import { MergeRejectedError } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const hostile = ORSet.fromJSON({
 *   context: { vector: [['evil', Number.MAX_SAFE_INTEGER]], cloud: [] },
 *   entries: [['x', [['evil', Number.MAX_SAFE_INTEGER]]]],
 * });
 * let caught: unknown;
 * try {
 *   ORSet.validateMerge(ORSet.bottom, hostile);
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof MergeRejectedError; // => true
 * ```
 */
export function validateMerge(state: ORSet, delta: ORSet): void {
  void state;
  validateContext(delta.context);
}
