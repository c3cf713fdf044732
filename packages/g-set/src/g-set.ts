import { canonicalKey, type JsonValue, type ReplicaId } from '@convergent/core';

/**
 * A grow-only set of JSON values: elements can be added, never removed; merge is
 * union. Elements are identified by their canonical key, so `{a: 1, b: 2}` and
 * `{b: 2, a: 1}` are one element. An immutable value.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * const state: GSet.GSet = GSet.add(GSet.bottom, asReplicaId('a'), 'apple');
 * GSet.elements(state); // => ['apple']
 * ```
 */
export interface GSet {
  /** The canonical keys (`canonicalKey` of `@convergent/core`) of the elements. */
  readonly keys: ReadonlySet<string>;
}

const of = (keys: ReadonlySet<string>): GSet => Object.freeze({ keys });

/**
 * The empty set.
 *
 * @example
 * ```ts
 * import * as GSet from '@convergent/g-set';
 *
 * GSet.size(GSet.bottom); // => 0
 * ```
 */
export const bottom: GSet = of(new Set());

/**
 * Delta mutator: adds `value`. The delta is the set holding `value` alone, or
 * {@link bottom} when the state already holds it.
 *
 * @param state - the replica's current state
 * @param replica - the replica adding (unused: a G-Set needs no replica ids; kept
 * so every mutator has the same shape)
 * @param value - a JSON value
 * @returns the delta
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * const a = asReplicaId('a');
 * let state = GSet.bottom;
 * state = GSet.merge(state, GSet.add(state, a, { b: 2, a: 1 }));
 * GSet.has(state, { a: 1, b: 2 }); // => true
 * ```
 */
export function add(state: GSet, replica: ReplicaId, value: JsonValue): GSet {
  void replica;
  const key = canonicalKey(value);
  return state.keys.has(key) ? bottom : of(new Set([key]));
}

/**
 * Whether `value` is in the set.
 *
 * @param state - a state
 * @param value - a JSON value
 * @returns `true` when it was added
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * const state = GSet.add(GSet.bottom, asReplicaId('a'), 1);
 * GSet.has(state, 1); // => true
 * GSet.has(state, '1'); // => false
 * ```
 */
export function has(state: GSet, value: JsonValue): boolean {
  return state.keys.has(canonicalKey(value));
}

/**
 * The elements, in ascending order of their canonical keys (the same order on
 * every replica). Each call returns fresh copies.
 *
 * @param state - a state
 * @returns the elements
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * const a = asReplicaId('a');
 * const state = GSet.merge(GSet.add(GSet.bottom, a, 'pear'), GSet.add(GSet.bottom, a, 'apple'));
 * GSet.elements(state); // => ['apple', 'pear']
 * ```
 */
export function elements(state: GSet): JsonValue[] {
  return [...state.keys].sort().map((key) => JSON.parse(key) as JsonValue);
}

/**
 * The number of elements.
 *
 * @param state - a state
 * @returns how many elements were added
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * GSet.size(GSet.add(GSet.bottom, asReplicaId('a'), 'x')); // => 1
 * ```
 */
export function size(state: GSet): number {
  return state.keys.size;
}

/**
 * Join of two sets: their union.
 *
 * @param a - one state
 * @param b - another
 * @returns the least upper bound (`a` or `b` itself when it already holds the other)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * const x = GSet.add(GSet.bottom, asReplicaId('a'), 'x');
 * const y = GSet.add(GSet.bottom, asReplicaId('b'), 'y');
 * GSet.elements(GSet.merge(x, y)); // => ['x', 'y']
 * ```
 */
export function merge(a: GSet, b: GSet): GSet {
  if (leq(b, a)) return a;
  if (leq(a, b)) return b;
  return of(new Set([...a.keys, ...b.keys]));
}

/**
 * Whether every element of `a` is in `b`.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` iff `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * const one = GSet.add(GSet.bottom, asReplicaId('a'), 'x');
 * GSet.leq(GSet.bottom, one); // => true
 * GSet.leq(one, GSet.bottom); // => false
 * ```
 */
export function leq(a: GSet, b: GSet): boolean {
  if (a.keys.size > b.keys.size) return false;
  for (const key of a.keys) if (!b.keys.has(key)) return false;
  return true;
}

/**
 * Whether two sets hold the same elements.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` when equal
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * const a = asReplicaId('a');
 * GSet.equals(GSet.add(GSet.bottom, a, { x: 1, y: 2 }), GSet.add(GSet.bottom, a, { y: 2, x: 1 })); // => true
 * ```
 */
export function equals(a: GSet, b: GSet): boolean {
  return a.keys.size === b.keys.size && leq(a, b);
}
