import type { ReplicaId } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';

/**
 * A counter that goes up and down: two grow-only counters, one of increments and
 * one of decrements; the value is their difference. An immutable value.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const me = asReplicaId('me');
 * let likes: PNCounter.PNCounter = PNCounter.bottom;
 * likes = PNCounter.merge(likes, PNCounter.increment(likes, me, 3));
 * likes = PNCounter.merge(likes, PNCounter.decrement(likes, me));
 * PNCounter.value(likes); // => 2
 * ```
 */
export interface PNCounter {
  /** Every replica's increments. */
  readonly increments: GCounter.GCounter;
  /** Every replica's decrements. */
  readonly decrements: GCounter.GCounter;
}

/** @internal */
export function of(increments: GCounter.GCounter, decrements: GCounter.GCounter): PNCounter {
  return Object.freeze({ increments, decrements });
}

/**
 * The counter nobody has touched: value 0.
 *
 * @example
 * ```ts
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * PNCounter.value(PNCounter.bottom); // => 0
 * ```
 */
export const bottom: PNCounter = of(GCounter.bottom, GCounter.bottom);

/**
 * Delta mutator: adds `amount` at `replica`.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica (its own id)
 * @param amount - a non-negative safe integer (default 1)
 * @returns the delta
 * @throws RangeError if `amount` is not a non-negative safe integer or the sum of
 * increments would pass `Number.MAX_SAFE_INTEGER`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const delta = PNCounter.increment(PNCounter.bottom, asReplicaId('a'), 5);
 * PNCounter.value(delta); // => 5
 * ```
 */
export function increment(state: PNCounter, replica: ReplicaId, amount = 1): PNCounter {
  return of(GCounter.increment(state.increments, replica, amount), GCounter.bottom);
}

/**
 * Delta mutator: subtracts `amount` at `replica`. The value may go below zero.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica (its own id)
 * @param amount - a non-negative safe integer (default 1)
 * @returns the delta
 * @throws RangeError if `amount` is not a non-negative safe integer or the sum of
 * decrements would pass `Number.MAX_SAFE_INTEGER`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const delta = PNCounter.decrement(PNCounter.bottom, asReplicaId('a'), 2);
 * PNCounter.value(delta); // => -2
 * ```
 */
export function decrement(state: PNCounter, replica: ReplicaId, amount = 1): PNCounter {
  return of(GCounter.bottom, GCounter.increment(state.decrements, replica, amount));
}

/**
 * The counter's value: all increments minus all decrements.
 *
 * @param state - a state
 * @returns the value, a safe integer
 * @throws RangeError if either sum passes `Number.MAX_SAFE_INTEGER` (possible only
 * after merging replicas that together counted past it)
 *
 * @example
 * ```ts
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * PNCounter.value(PNCounter.fromJSON({ increments: [['a', 4]], decrements: [['b', 6]] })); // => -2
 * ```
 */
export function value(state: PNCounter): number {
  return GCounter.value(state.increments) - GCounter.value(state.decrements);
}

/**
 * Join of two states: the join of their increments and of their decrements.
 *
 * @param a - one state
 * @param b - another
 * @returns the least upper bound
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const a = PNCounter.increment(PNCounter.bottom, asReplicaId('a'));
 * const b = PNCounter.decrement(PNCounter.bottom, asReplicaId('b'));
 * PNCounter.value(PNCounter.merge(a, b)); // => 0
 * ```
 */
export function merge(a: PNCounter, b: PNCounter): PNCounter {
  const increments = GCounter.merge(a.increments, b.increments);
  const decrements = GCounter.merge(a.decrements, b.decrements);
  if (increments === a.increments && decrements === a.decrements) return a;
  if (increments === b.increments && decrements === b.decrements) return b;
  return of(increments, decrements);
}

/**
 * Whether `b` has seen everything `a` has.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` iff `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const down = PNCounter.decrement(PNCounter.bottom, asReplicaId('a'));
 * PNCounter.leq(PNCounter.bottom, down); // => true
 * PNCounter.leq(down, PNCounter.bottom); // => false
 * ```
 */
export function leq(a: PNCounter, b: PNCounter): boolean {
  return GCounter.leq(a.increments, b.increments) && GCounter.leq(a.decrements, b.decrements);
}

/**
 * Structural equality of two states (not just of their values: +1 −1 is not bottom).
 *
 * @param a - one state
 * @param b - another
 * @returns `true` when increments and decrements are equal
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const a = asReplicaId('a');
 * const upDown = PNCounter.merge(PNCounter.increment(PNCounter.bottom, a), PNCounter.decrement(PNCounter.bottom, a));
 * PNCounter.value(upDown); // => 0
 * PNCounter.equals(upDown, PNCounter.bottom); // => false
 * ```
 */
export function equals(a: PNCounter, b: PNCounter): boolean {
  return GCounter.equals(a.increments, b.increments) && GCounter.equals(a.decrements, b.decrements);
}
