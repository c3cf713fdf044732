import type { ReplicaId } from '@convergent/core';
import { validateContext } from '@convergent/version-vector';
import type { MVRegister } from './mv-register.js';

/**
 * The replicas whose writes `delta` carries: the replicas of its values' dots. The
 * causal context is left out: it records the writes the sender had seen and
 * overwrote, not events it created. A `set` delta names only the writing replica.
 *
 * @param delta - a delta or state
 * @returns the authoring replica ids, as a new set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const [a, b] = [asReplicaId('a'), asReplicaId('b')];
 * const state = MVRegister.merge(MVRegister.bottom, MVRegister.set(MVRegister.bottom, a, 'red'));
 * [...MVRegister.authors(MVRegister.set(state, b, 'blue'))]; // => ['b']
 * ```
 */
export function authors(delta: MVRegister): ReadonlySet<ReplicaId> {
  return new Set(delta.entries.map((entry) => entry.dot.replica));
}

/**
 * Throws unless every replica can still write after merging `delta` into `state`:
 * no dot counter in `delta`'s context (which holds every dot of its values) may
 * come within 1 of `Number.MAX_SAFE_INTEGER` (`validateContext` of
 * `@convergent/version-vector`). Only `delta` is read: O(|delta|).
 *
 * @param state - the receiver's state
 * @param delta - the untrusted delta
 * @throws MergeRejectedError (from `@convergent/core`) otherwise; `state` is untouched
 *
 * @example
 * ```ts
 * import { MergeRejectedError } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const hostile = MVRegister.fromJSON({
 *   entries: [{ replica: 'evil', counter: Number.MAX_SAFE_INTEGER - 1, value: 'x' }],
 *   context: { vector: [], cloud: [['evil', [Number.MAX_SAFE_INTEGER - 1]]] },
 * });
 * let caught: unknown;
 * try {
 *   MVRegister.validateMerge(MVRegister.bottom, hostile);
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof MergeRejectedError; // => true
 * ```
 */
export function validateMerge(state: MVRegister, delta: MVRegister): void {
  void state;
  validateContext(delta.context);
}
