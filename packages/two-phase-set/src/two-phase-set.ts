import { canonicalKey, type JsonValue, type ReplicaId } from '@convergent/core';
import * as GSet from '@convergent/g-set';

/**
 * A two-phase set of JSON values: two grow-only sets, the elements ever added and
 * the elements removed. An element is in the set when it was added and not
 * removed; once removed it can never come back, on any replica. A remove
 * concurrent with an add of the same element wins. An immutable value.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const a = asReplicaId('a');
 * let state: TwoPhaseSet.TwoPhaseSet = TwoPhaseSet.bottom;
 * state = TwoPhaseSet.merge(state, TwoPhaseSet.add(state, a, 'token-1'));
 * state = TwoPhaseSet.merge(state, TwoPhaseSet.remove(state, a, 'token-1'));
 * TwoPhaseSet.wasRemoved(state, 'token-1'); // => true
 * ```
 */
export interface TwoPhaseSet {
  /** Every element ever added, removed ones included. */
  readonly added: GSet.GSet;
  /** The removed elements (tombstones); always a subset of `added`. */
  readonly removed: GSet.GSet;
}

/** @internal */
export const of = (added: GSet.GSet, removed: GSet.GSet): TwoPhaseSet => Object.freeze({ added, removed });

/**
 * The empty set.
 *
 * @example
 * ```ts
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.size(TwoPhaseSet.bottom); // => 0
 * ```
 */
export const bottom: TwoPhaseSet = of(GSet.bottom, GSet.bottom);

const single = (key: string): GSet.GSet => Object.freeze({ keys: new Set([key]) });

/**
 * Delta mutator: adds `value`. Adding an element that was removed (as far as this
 * replica knows) is a no-op: it returns {@link bottom}, and {@link wasRemoved}
 * tells the caller why. Adding a present element also returns `bottom`.
 *
 * @param state - the replica's current state
 * @param replica - the replica adding (unused: a 2P-Set needs no replica ids; kept
 * so every mutator has the same shape)
 * @param value - a JSON value
 * @returns the delta
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const a = asReplicaId('a');
 * let state = TwoPhaseSet.merge(TwoPhaseSet.bottom, TwoPhaseSet.add(TwoPhaseSet.bottom, a, 'x'));
 * state = TwoPhaseSet.merge(state, TwoPhaseSet.remove(state, a, 'x'));
 * TwoPhaseSet.equals(TwoPhaseSet.add(state, a, 'x'), TwoPhaseSet.bottom); // => true
 * ```
 */
export function add(state: TwoPhaseSet, replica: ReplicaId, value: JsonValue): TwoPhaseSet {
  void replica;
  const key = canonicalKey(value);
  return state.added.keys.has(key) ? bottom : of(single(key), GSet.bottom);
}

/**
 * Delta mutator: removes `value`, for good. Removing an element this replica does
 * not hold (never seen, or already removed) is a no-op: it returns
 * {@link bottom}. The delta carries the element in both halves, so a replica that
 * receives the remove before the add still knows the element.
 *
 * @param state - the replica's current state
 * @param replica - the replica removing (unused, as for {@link add})
 * @param value - a JSON value
 * @returns the delta
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const a = asReplicaId('a');
 * let state = TwoPhaseSet.merge(TwoPhaseSet.bottom, TwoPhaseSet.add(TwoPhaseSet.bottom, a, 'x'));
 * state = TwoPhaseSet.merge(state, TwoPhaseSet.remove(state, a, 'x'));
 * TwoPhaseSet.has(state, 'x'); // => false
 * TwoPhaseSet.equals(TwoPhaseSet.remove(TwoPhaseSet.bottom, a, 'never-seen'), TwoPhaseSet.bottom); // => true
 * ```
 */
export function remove(state: TwoPhaseSet, replica: ReplicaId, value: JsonValue): TwoPhaseSet {
  void replica;
  const key = canonicalKey(value);
  return isLive(state, key) ? of(single(key), single(key)) : bottom;
}

const isLive = (state: TwoPhaseSet, key: string): boolean => state.added.keys.has(key) && !state.removed.keys.has(key);

/**
 * Whether `value` is in the set: added and not removed.
 *
 * @param state - a state
 * @param value - a JSON value
 * @returns `true` when present
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.has(TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), { id: 7 }), { id: 7 }); // => true
 * ```
 */
export function has(state: TwoPhaseSet, value: JsonValue): boolean {
  return isLive(state, canonicalKey(value));
}

/**
 * Whether `value` has been removed (and so can never be added again).
 *
 * @param state - a state
 * @param value - a JSON value
 * @returns `true` when the element is a tombstone
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.wasRemoved(TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), 'x'), 'x'); // => false
 * ```
 */
export function wasRemoved(state: TwoPhaseSet, value: JsonValue): boolean {
  return state.removed.keys.has(canonicalKey(value));
}

/**
 * The elements (added and not removed), in ascending order of their canonical
 * keys, as fresh copies.
 *
 * @param state - a state
 * @returns the elements
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const a = asReplicaId('a');
 * let state = TwoPhaseSet.bottom;
 * for (const x of ['pear', 'apple', 'fig']) state = TwoPhaseSet.merge(state, TwoPhaseSet.add(state, a, x));
 * state = TwoPhaseSet.merge(state, TwoPhaseSet.remove(state, a, 'fig'));
 * TwoPhaseSet.elements(state); // => ['apple', 'pear']
 * ```
 */
export function elements(state: TwoPhaseSet): JsonValue[] {
  return GSet.elements(live(state));
}

/** @internal The live elements as a G-Set. */
export const live = (state: TwoPhaseSet): GSet.GSet =>
  Object.freeze({ keys: new Set([...state.added.keys].filter((key) => !state.removed.keys.has(key))) });

/**
 * The number of elements (added and not removed).
 *
 * @param state - a state
 * @returns how many elements are in the set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.size(TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), 'x')); // => 1
 * ```
 */
export function size(state: TwoPhaseSet): number {
  // Every removed element was added first, so the halves' sizes subtract.
  return state.added.keys.size - state.removed.keys.size;
}

/**
 * Join of two states: union of the added sets and union of the removed sets.
 *
 * @param a - one state
 * @param b - another
 * @returns the least upper bound
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const x = TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), 'x');
 * const y = TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('b'), 'y');
 * TwoPhaseSet.elements(TwoPhaseSet.merge(x, y)); // => ['x', 'y']
 * ```
 */
export function merge(a: TwoPhaseSet, b: TwoPhaseSet): TwoPhaseSet {
  const added = GSet.merge(a.added, b.added);
  const removed = GSet.merge(a.removed, b.removed);
  return added === a.added && removed === a.removed ? a : added === b.added && removed === b.removed ? b : of(added, removed);
}

/**
 * Whether `b` has seen every add and remove `a` has.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` iff `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const one = TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), 'x');
 * TwoPhaseSet.leq(TwoPhaseSet.bottom, one); // => true
 * TwoPhaseSet.leq(one, TwoPhaseSet.bottom); // => false
 * ```
 */
export function leq(a: TwoPhaseSet, b: TwoPhaseSet): boolean {
  return GSet.leq(a.added, b.added) && GSet.leq(a.removed, b.removed);
}

/**
 * Structural equality: the same added and removed elements.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` when equal
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const a = asReplicaId('a');
 * TwoPhaseSet.equals(TwoPhaseSet.add(TwoPhaseSet.bottom, a, 'x'), TwoPhaseSet.add(TwoPhaseSet.bottom, a, 'x')); // => true
 * ```
 */
export function equals(a: TwoPhaseSet, b: TwoPhaseSet): boolean {
  return GSet.equals(a.added, b.added) && GSet.equals(a.removed, b.removed);
}
