import type { ReplicaId } from '@convergent/core';
import type { GSet } from './g-set.js';

/**
 * The replicas whose events `delta` creates: none, always. A G-Set's elements carry
 * no author (the same element added by two replicas is one element), so there is
 * nothing to attribute and nothing to forge: on an authenticated link any peer
 * allowed to write may add elements, and per-author authentication does not apply.
 * Nothing in a G-Set can overflow either, so it has no `validateMerge`.
 *
 * @param delta - a delta or state
 * @returns an empty set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * GSet.authors(GSet.add(GSet.bottom, asReplicaId('a'), 'x')).size; // => 0
 * ```
 */
export function authors(delta: GSet): ReadonlySet<ReplicaId> {
  void delta;
  return new Set();
}
