import { canonicalKey, compareReplicaIds, type JsonValue, type ReplicaId } from '@convergent/core';
import {
  contextEquals,
  contextFromDots,
  contextLeq,
  contextUpTo,
  emptyContext,
  hasDot,
  mergeContexts,
  nextDot,
  type Dot,
  type DotContext,
} from '@convergent/version-vector';

/**
 * One sibling of a multi-value register: a written value and the dot (replica,
 * counter) of the write that made it.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const state = MVRegister.set(MVRegister.bottom, asReplicaId('a'), 'Alice');
 * const entry: MVRegister.Entry = state.entries[0]!;
 * entry.dot; // => { replica: 'a', counter: 1 }
 * entry.value; // => 'Alice'
 * ```
 */
export interface Entry {
  /** The write's dot, unique to it. */
  readonly dot: Dot;
  /** The written value (deeply frozen). */
  readonly value: JsonValue;
}

/**
 * A multi-value register (Riak-style siblings) over dots and a causal context: the
 * values of the writes no replica had seen when it last wrote, and the dots of every
 * write this state has seen. An immutable value.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const state: MVRegister.MVRegister = MVRegister.set(MVRegister.bottom, asReplicaId('a'), 'Alice');
 * state.entries.length; // => 1
 * ```
 */
export interface MVRegister {
  /** The current siblings, ordered by dot (replica id, then counter); every dot is in `context`. */
  readonly entries: readonly Entry[];
  /** Every write this state has seen, current or overwritten. */
  readonly context: DotContext;
}

/** Deep-freezes a fresh JSON value. */
export function freeze(value: JsonValue): JsonValue {
  if (value !== null && typeof value === 'object') Object.values(value).forEach(freeze);
  return Object.freeze(value);
}

/** Orders dots by replica id, then counter. */
export const compareDots = (a: Dot, b: Dot): number => compareReplicaIds(a.replica, b.replica) || a.counter - b.counter;

/** A frozen state from entries (sorted here) and a context holding their dots. */
export function of(entries: Entry[], context: DotContext): MVRegister {
  return Object.freeze({ entries: Object.freeze(entries.sort((p, q) => compareDots(p.dot, q.dot))), context });
}

/**
 * The register nobody has written: no values, an empty context.
 *
 * @example
 * ```ts
 * import * as MVRegister from '@convergent/mv-register';
 *
 * MVRegister.values(MVRegister.bottom); // => []
 * ```
 */
export const bottom: MVRegister = of([], emptyContext);

/**
 * Delta mutator: writes `value`, replacing every value this replica has seen. The
 * delta holds the new value under a fresh dot, and a context of the dots it replaces
 * plus every dot of this replica up to the fresh one (its own earlier writes are
 * superseded too, so a state never holds two values from one replica, however late
 * or out of order deltas arrive); merge it locally and send it to peers. Values written
 * concurrently elsewhere (dots this replica has not seen) survive as siblings.
 *
 * @param state - the replica's current state
 * @param replica - the replica writing; must be this replica's own id
 * @param value - any JSON value (copied; later changes to it do not leak in)
 * @returns the delta
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const a = asReplicaId('a');
 * let state = MVRegister.bottom;
 * state = MVRegister.merge(state, MVRegister.set(state, a, 'draft'));
 * state = MVRegister.merge(state, MVRegister.set(state, a, 'final'));
 * MVRegister.values(state); // => ['final']
 * ```
 */
export function set(state: MVRegister, replica: ReplicaId, value: JsonValue): MVRegister {
  const fresh = freeze(JSON.parse(canonicalKey(value)) as JsonValue);
  const dot = nextDot(state.context, replica);
  const replaced = contextFromDots(state.entries.map((e) => e.dot));
  return of([Object.freeze({ dot, value: fresh })], mergeContexts(contextUpTo(dot), replaced));
}

/**
 * The register's values: one per sibling, without repeats (two replicas that wrote
 * the same value concurrently show it once), ordered by canonical key. Empty before
 * the first write; one value unless writes were concurrent.
 *
 * @param state - a state
 * @returns the distinct values (deeply frozen)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const a = MVRegister.set(MVRegister.bottom, asReplicaId('a'), 'Alicia');
 * const b = MVRegister.set(MVRegister.bottom, asReplicaId('b'), 'Alice');
 * MVRegister.values(MVRegister.merge(a, b)); // => ['Alice', 'Alicia']
 * ```
 */
export function values(state: MVRegister): JsonValue[] {
  const byKey = new Map(state.entries.map((e) => [canonicalKey(e.value), e.value]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

/**
 * Join of two states: a sibling survives unless the other side has seen its dot and
 * no longer holds it (that is, overwrote it); contexts are united.
 *
 * @param a - one state
 * @param b - another
 * @returns the least upper bound
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const [a, b] = [asReplicaId('a'), asReplicaId('b')];
 * const first = MVRegister.set(MVRegister.bottom, a, 'v1');
 * const second = MVRegister.set(first, b, 'v2'); // b saw v1
 * MVRegister.values(MVRegister.merge(second, first)); // => ['v2']
 * ```
 */
export function merge(a: MVRegister, b: MVRegister): MVRegister {
  const entries: Entry[] = [];
  const find = (s: MVRegister, dot: Dot) => s.entries.find((e) => compareDots(e.dot, dot) === 0);
  for (const e of a.entries) {
    const other = find(b, e.dot);
    // A dot carries one write; two values under one dot mean a reused replica id: keep the larger, on both sides.
    if (other) entries.push(other.value === e.value || canonicalKey(e.value) >= canonicalKey(other.value) ? e : other);
    else if (!hasDot(b.context, e.dot)) entries.push(e);
  }
  for (const e of b.entries) if (!find(a, e.dot) && !hasDot(a.context, e.dot)) entries.push(e);
  return of(entries, mergeContexts(a.context, b.context));
}

/**
 * Structural equality: the same siblings (dots and values) and the same context.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` when equal
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const state = MVRegister.set(MVRegister.bottom, asReplicaId('a'), { b: 1, a: 2 });
 * MVRegister.equals(state, MVRegister.decode(MVRegister.encode(state))); // => true
 * MVRegister.equals(state, MVRegister.bottom); // => false
 * ```
 */
export function equals(a: MVRegister, b: MVRegister): boolean {
  return (
    a.entries.length === b.entries.length &&
    a.entries.every((e, i) => {
      const f = b.entries[i]!;
      return compareDots(e.dot, f.dot) === 0 && (e.value === f.value || canonicalKey(e.value) === canonicalKey(f.value));
    }) &&
    contextEquals(a.context, b.context)
  );
}

/**
 * Whether `b` has seen everything `a` has (and kept or overwritten it).
 *
 * @param a - one state
 * @param b - another
 * @returns `true` iff `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const one = MVRegister.set(MVRegister.bottom, asReplicaId('a'), 1);
 * MVRegister.leq(MVRegister.bottom, one); // => true
 * MVRegister.leq(one, MVRegister.bottom); // => false
 * ```
 */
export function leq(a: MVRegister, b: MVRegister): boolean {
  return contextLeq(a.context, b.context) && equals(merge(a, b), b);
}
