import { countsEqual, countsLeq, mergeCounts, type Counts, type ReplicaId } from '@convergent/core';

/**
 * A grow-only counter: one count per replica; the value is their sum. An immutable
 * value: every function returns a new state and leaves its arguments alone.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const phone = asReplicaId('phone');
 * const state: GCounter.GCounter = GCounter.merge(GCounter.bottom, GCounter.increment(GCounter.bottom, phone, 2));
 * GCounter.value(state); // => 2
 * ```
 */
export interface GCounter {
  /** Each replica's own increments so far; never holds a zero. */
  readonly counts: Counts;
}

const OVERFLOW = 'counter value past Number.MAX_SAFE_INTEGER';

function of(counts: Counts): GCounter {
  return Object.freeze({ counts });
}

/**
 * The counter no replica has incremented: value 0.
 *
 * @example
 * ```ts
 * import * as GCounter from '@convergent/g-counter';
 *
 * GCounter.value(GCounter.bottom); // => 0
 * ```
 */
export const bottom: GCounter = of(new Map());

/**
 * Delta mutator: adds `amount` to `replica`'s count. Returns the delta (the
 * replica's new count alone); merge it locally and send it to peers.
 *
 * @param state - the replica's current state
 * @param replica - the replica counting; must be this replica's own id
 * @param amount - a non-negative safe integer (default 1)
 * @returns the delta
 * @throws RangeError if `amount` is not a non-negative safe integer, or if the
 * counter's value would pass `Number.MAX_SAFE_INTEGER`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const a = asReplicaId('a');
 * let state = GCounter.bottom;
 * const delta = GCounter.increment(state, a, 5);
 * state = GCounter.merge(state, delta);
 * GCounter.value(state); // => 5
 * ```
 */
export function increment(state: GCounter, replica: ReplicaId, amount = 1): GCounter {
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError('amount must be a non-negative safe integer');
  if (amount === 0) return bottom;
  if (value(state) + amount > Number.MAX_SAFE_INTEGER)
    throw new RangeError(OVERFLOW);
  return of(new Map([[replica, (state.counts.get(replica) ?? 0) + amount]]));
}

/**
 * The counter's value: the sum of every replica's count.
 *
 * @param state - a state
 * @returns the sum
 * @throws RangeError if the sum passes `Number.MAX_SAFE_INTEGER` (possible only
 * after merging replicas that together counted past it)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const state = GCounter.increment(GCounter.bottom, asReplicaId('a'), 3);
 * GCounter.value(state); // => 3
 * ```
 */
export function value(state: GCounter): number {
  let sum = 0;
  for (const n of state.counts.values()) sum += n;
  if (sum > Number.MAX_SAFE_INTEGER) throw new RangeError(OVERFLOW);
  return sum;
}

/**
 * Join of two states: each replica's count is the larger of the two.
 *
 * @param a - one state
 * @param b - another
 * @returns the least upper bound
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const a = GCounter.increment(GCounter.bottom, asReplicaId('a'));
 * const b = GCounter.increment(GCounter.bottom, asReplicaId('b'));
 * GCounter.value(GCounter.merge(a, b)); // => 2
 * ```
 */
export function merge(a: GCounter, b: GCounter): GCounter {
  const counts = mergeCounts(a.counts, b.counts);
  return counts === a.counts ? a : counts === b.counts ? b : of(counts);
}

/**
 * Whether `b` has seen every increment `a` has.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` iff `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const one = GCounter.increment(GCounter.bottom, asReplicaId('a'));
 * GCounter.leq(GCounter.bottom, one); // => true
 * GCounter.leq(one, GCounter.bottom); // => false
 * ```
 */
export function leq(a: GCounter, b: GCounter): boolean {
  return countsLeq(a.counts, b.counts);
}

/**
 * Structural equality of two states.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` when every replica's count is the same
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const a = asReplicaId('a');
 * GCounter.equals(GCounter.increment(GCounter.bottom, a), GCounter.increment(GCounter.bottom, a)); // => true
 * ```
 */
export function equals(a: GCounter, b: GCounter): boolean {
  return countsEqual(a.counts, b.counts);
}
