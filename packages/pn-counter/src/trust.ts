import type { ReplicaId } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import type { PNCounter } from './pn-counter.js';

/**
 * The replicas whose increments or decrements `delta` carries: the ids of the
 * entries of both halves. A delta that `increment` or `decrement` made names only
 * the acting replica.
 *
 * @param delta - a delta or state
 * @returns the authoring replica ids, as a new set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * [...PNCounter.authors(PNCounter.decrement(PNCounter.bottom, asReplicaId('a')))]; // => ['a']
 * ```
 */
export function authors(delta: PNCounter): ReadonlySet<ReplicaId> {
  return new Set([...GCounter.authors(delta.increments), ...GCounter.authors(delta.decrements)]);
}

/**
 * Throws unless merging `delta` into `state` leaves a counter that still works:
 * the merged sum of increments and the merged sum of decrements must each stay
 * more than 1 below `Number.MAX_SAFE_INTEGER` (the rule of `validateMerge` of
 * `@convergent/g-counter`, applied to each half), so `value` answers and every
 * replica can still increment and decrement by 1. O(|state| + |delta|).
 *
 * @param state - the receiver's state
 * @param delta - the untrusted delta
 * @throws MergeRejectedError (from `@convergent/core`) otherwise; `state` is untouched
 *
 * @example
 * ```ts
 * import { MergeRejectedError } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const state = PNCounter.fromJSON({ increments: [['a', 10]], decrements: [] });
 * const hostile = PNCounter.fromJSON({ increments: [['evil', Number.MAX_SAFE_INTEGER - 10]], decrements: [] });
 * let rejected = false;
 * try {
 *   PNCounter.validateMerge(state, hostile);
 * } catch (error) {
 *   rejected = error instanceof MergeRejectedError;
 * }
 * rejected; // => true
 * ```
 */
export function validateMerge(state: PNCounter, delta: PNCounter): void {
  GCounter.validateMerge(state.increments, delta.increments);
  GCounter.validateMerge(state.decrements, delta.decrements);
}
