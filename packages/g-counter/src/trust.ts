import { ensureHeadroom, type ReplicaId } from '@convergent/core';
import type { GCounter } from './g-counter.js';

/**
 * The replicas whose increments `delta` carries: the ids of its entries. A delta
 * that `increment` made names only the incrementing replica; a full state names
 * every replica that ever counted. On an authenticated link the sync layer accepts
 * a delta only when these are the sender's own ids (or the sender forwards for others).
 *
 * @param delta - a delta or state
 * @returns the authoring replica ids, as a new set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * [...GCounter.authors(GCounter.increment(GCounter.bottom, asReplicaId('a'), 2))]; // => ['a']
 * GCounter.authors(GCounter.bottom).size; // => 0
 * ```
 */
export function authors(delta: GCounter): ReadonlySet<ReplicaId> {
  return new Set(delta.counts.keys());
}

/**
 * Throws unless merging `delta` into `state` leaves a counter that still works:
 * the merged value must stay more than 1 below `Number.MAX_SAFE_INTEGER`
 * (`ensureHeadroom` of `@convergent/core`), so that `value` answers and every
 * replica can still increment by 1. Checked against the merged state, not the delta
 * alone, so two entries of half the range are caught however they arrive. Costs
 * O(|state| + |delta|): one pass over each, no allocation.
 *
 * A delta that honest replicas made is rejected only when their increments
 * together reach the very end of the range, where `value` or the next `increment`
 * would soon throw anyway.
 *
 * @param state - the receiver's state
 * @param delta - the untrusted delta
 * @throws MergeRejectedError (from `@convergent/core`) if the merged value would
 * come within 1 of `Number.MAX_SAFE_INTEGER`; `state` is untouched
 *
 * @example
 * ```ts
 * import { MergeRejectedError } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const half = GCounter.fromJSON({ counts: [['x', 2 ** 52]] });
 * GCounter.validateMerge(GCounter.bottom, half); // accepted alone
 * const other = GCounter.fromJSON({ counts: [['y', 2 ** 52]] });
 * let rejected = false;
 * try {
 *   GCounter.validateMerge(half, other);
 * } catch (error) {
 *   rejected = error instanceof MergeRejectedError;
 * }
 * rejected; // => true
 * ```
 */
export function validateMerge(state: GCounter, delta: GCounter): void {
  let sum = 0;
  for (const n of state.counts.values()) sum += n;
  for (const [id, n] of delta.counts) sum += Math.max(0, n - (state.counts.get(id) ?? 0));
  // Above 2^53 a float sum is rounded, but it never falls back below the bound.
  ensureHeadroom('counter value', sum);
}
