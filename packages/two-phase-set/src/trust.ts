import type { ReplicaId } from '@convergent/core';
import type { TwoPhaseSet } from './two-phase-set.js';

/**
 * The replicas whose events `delta` creates: none, always. A 2P-Set's adds and
 * removes carry no author, so there is nothing to attribute and nothing to forge:
 * on an authenticated link any peer allowed to write may add and remove, and
 * per-author authentication does not apply. Nothing in a 2P-Set can overflow
 * either, so it has no `validateMerge`.
 *
 * @param delta - a delta or state
 * @returns an empty set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.authors(TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), 'x')).size; // => 0
 * ```
 */
export function authors(delta: TwoPhaseSet): ReadonlySet<ReplicaId> {
  void delta;
  return new Set();
}
