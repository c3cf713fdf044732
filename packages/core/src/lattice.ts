/**
 * A join-semilattice of immutable states: the one interface every Convergent type
 * implements. `merge` is the least upper bound (commutative, associative,
 * idempotent, never mutating), `leq` the order it induces and `equals` structural
 * equality of states.
 *
 * Every type module (`import * as GCounter from '@convergent/g-counter'`) satisfies
 * this interface itself, so a module can be passed wherever a `Lattice` is expected.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import type { Lattice } from '@convergent/core';
 *
 * // The integers under max form a lattice whose bottom is 0 (for non-negative values).
 * const max: Lattice<number> = {
 *   bottom: 0,
 *   merge: (a, b) => Math.max(a, b),
 *   leq: (a, b) => a <= b,
 *   equals: (a, b) => a === b,
 * };
 * max.merge(3, 5); // => 5
 * ```
 */
export interface Lattice<S> {
  /** The state of a replica that has seen nothing; `merge(bottom, s)` equals `s`. */
  readonly bottom: S;
  /** Least upper bound of two states. Never mutates its arguments. */
  merge(a: S, b: S): S;
  /** `leq(a, b)` iff `equals(merge(a, b), b)`: `b` has seen everything `a` has. */
  leq(a: S, b: S): boolean;
  /** Structural equality of two states. */
  equals(a: S, b: S): boolean;
}

/**
 * Merges any number of states, starting from `bottom`.
 *
 * @param lattice - the type's lattice (or the type's module namespace)
 * @param states - the states to merge, in any order
 * @returns the least upper bound of all of them (`bottom` for none)
 *
 * @example
 * ```ts
 * import { mergeAll, type Lattice } from '@convergent/core';
 *
 * const max: Lattice<number> = {
 *   bottom: 0,
 *   merge: (a, b) => Math.max(a, b),
 *   leq: (a, b) => a <= b,
 *   equals: (a, b) => a === b,
 * };
 * mergeAll(max, [3, 9, 4]); // => 9
 * mergeAll(max, []); // => 0
 * ```
 */
export function mergeAll<S>(lattice: Lattice<S>, states: Iterable<S>): S {
  let result = lattice.bottom;
  for (const state of states) result = lattice.merge(result, state);
  return result;
}
