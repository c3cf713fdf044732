import { countsEqual, countsLeq, mergeCounts, type Counts, type ReplicaId } from '@convergent/core';

/**
 * A version vector: per replica, how many events of that replica have been seen.
 * An immutable value: every function returns a new state and leaves its arguments
 * alone.
 *
 * Unlike the other Convergent types, a version vector is not a delta type: its
 * mutator {@link increment} returns the new full vector. Merging that vector
 * anywhere is still safe (merge is idempotent), it is just not small.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * const vv: VersionVector.VersionVector = VersionVector.increment(VersionVector.bottom, a);
 * VersionVector.get(vv, a); // => 1
 * ```
 */
export interface VersionVector {
  /** Each replica's number of events seen; never holds a zero. */
  readonly counts: Counts;
}

/**
 * How two version vectors relate: `'before'` (the first happened before the
 * second), `'after'`, `'equal'` or `'concurrent'` (neither has seen all of the
 * other).
 *
 * @example
 * ```ts
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const order: VersionVector.Order = VersionVector.compare(VersionVector.bottom, VersionVector.bottom);
 * order; // => 'equal'
 * ```
 */
export type Order = 'before' | 'after' | 'equal' | 'concurrent';

/** @internal */
export function of(counts: Counts): VersionVector {
  return Object.freeze({ counts });
}

/**
 * The vector of a replica that has seen nothing.
 *
 * @example
 * ```ts
 * import * as VersionVector from '@convergent/version-vector';
 *
 * VersionVector.bottom.counts.size; // => 0
 * ```
 */
export const bottom: VersionVector = of(new Map());

/**
 * Records one more event of `replica`. Returns the new full vector (not a delta:
 * a version vector is not a delta type).
 *
 * @param vv - the current vector
 * @param replica - the replica whose event it is; normally this replica's own id
 * @returns the new vector, with `replica`'s count one higher
 * @throws RangeError if the count would pass `Number.MAX_SAFE_INTEGER`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * const twice = VersionVector.increment(VersionVector.increment(VersionVector.bottom, a), a);
 * VersionVector.get(twice, a); // => 2
 * ```
 */
export function increment(vv: VersionVector, replica: ReplicaId): VersionVector {
  const n = get(vv, replica);
  if (n >= Number.MAX_SAFE_INTEGER) throw new RangeError('count past Number.MAX_SAFE_INTEGER');
  return of(new Map(vv.counts).set(replica, n + 1));
}

/**
 * The number of `replica`'s events the vector has seen.
 *
 * @param vv - a vector
 * @param replica - a replica id
 * @returns its count, 0 when absent
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * VersionVector.get(VersionVector.bottom, asReplicaId('a')); // => 0
 * ```
 */
export function get(vv: VersionVector, replica: ReplicaId): number {
  return vv.counts.get(replica) ?? 0;
}

/**
 * Join of two vectors: each replica's count is the larger of the two.
 *
 * @param a - one vector
 * @param b - another
 * @returns the least upper bound
 *
 * @example
 * ```ts
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const a = VersionVector.fromJSON({ counts: [['Node1', 2]] });
 * const b = VersionVector.fromJSON({ counts: [['Node1', 1], ['Node2', 1]] });
 * VersionVector.toJSON(VersionVector.merge(a, b)); // => { counts: [['Node1', 2], ['Node2', 1]] }
 * ```
 */
export function merge(a: VersionVector, b: VersionVector): VersionVector {
  const counts = mergeCounts(a.counts, b.counts);
  return counts === a.counts ? a : counts === b.counts ? b : of(counts);
}

/**
 * Whether `b` has seen every event `a` has (`a` happened before or equals `b`).
 *
 * @param a - one vector
 * @param b - another
 * @returns `true` iff `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const one = VersionVector.increment(VersionVector.bottom, asReplicaId('a'));
 * VersionVector.leq(VersionVector.bottom, one); // => true
 * VersionVector.leq(one, VersionVector.bottom); // => false
 * ```
 */
export function leq(a: VersionVector, b: VersionVector): boolean {
  return countsLeq(a.counts, b.counts);
}

/**
 * Structural equality of two vectors.
 *
 * @param a - one vector
 * @param b - another
 * @returns `true` when every replica's count is the same
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * VersionVector.equals(VersionVector.increment(VersionVector.bottom, a), VersionVector.increment(VersionVector.bottom, a)); // => true
 * ```
 */
export function equals(a: VersionVector, b: VersionVector): boolean {
  return countsEqual(a.counts, b.counts);
}

/**
 * The causal order of two vectors.
 *
 * @param a - one vector
 * @param b - another
 * @returns `'equal'`; `'before'` when `b` has seen all of `a` and more; `'after'`
 * when `a` has seen all of `b` and more; otherwise `'concurrent'`
 *
 * @example
 * ```ts
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const x = VersionVector.fromJSON({ counts: [['Node1', 2]] });
 * const y = VersionVector.fromJSON({ counts: [['Node1', 1], ['Node2', 1]] });
 * VersionVector.compare(x, y); // => 'concurrent'
 * VersionVector.compare(y, VersionVector.merge(x, y)); // => 'before'
 * ```
 */
export function compare(a: VersionVector, b: VersionVector): Order {
  const ab = leq(a, b);
  const ba = leq(b, a);
  return ab ? (ba ? 'equal' : 'before') : ba ? 'after' : 'concurrent';
}

/**
 * Whether `a` strictly dominates `b`: `a` has seen every event `b` has, and more.
 * Equal vectors do not dominate each other (use {@link leq} for "at least").
 *
 * @param a - one vector
 * @param b - another
 * @returns `true` iff `compare(a, b)` is `'after'`
 *
 * @example
 * ```ts
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const newer = VersionVector.fromJSON({ counts: [['Node1', 2]] });
 * const older = VersionVector.fromJSON({ counts: [['Node1', 1]] });
 * VersionVector.dominates(newer, older); // => true
 * VersionVector.dominates(newer, newer); // => false
 * ```
 */
export function dominates(a: VersionVector, b: VersionVector): boolean {
  return compare(a, b) === 'after';
}
