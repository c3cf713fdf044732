import { canonicalKey, type JsonValue } from '@convergent/core';
import { compare, type Clock, type Timestamp } from '@convergent/hlc';

/**
 * A last-writer-wins register: one JSON value and the hybrid-logical-clock timestamp
 * of the write that put it there. An immutable value (the value itself is deeply
 * frozen): every function returns a new state and leaves its arguments alone.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const clock = new Clock(asReplicaId('phone'));
 * const state: LWWRegister.LWWRegister = LWWRegister.set(LWWRegister.bottom, clock, 'dark');
 * state.value; // => 'dark'
 * state.timestamp?.replica; // => 'phone'
 * ```
 */
export interface LWWRegister {
  /** The winning write's timestamp; `undefined` until something is written. */
  readonly timestamp: Timestamp | undefined;
  /** The winning write's value (deeply frozen); `undefined` until something is written. */
  readonly value: JsonValue | undefined;
}

/** Deep-freezes a fresh JSON value (objects and arrays are ours, never the caller's). */
function freeze(value: JsonValue): JsonValue {
  if (value !== null && typeof value === 'object') Object.values(value).forEach(freeze);
  return Object.freeze(value);
}

/** A written state; `fresh` must be a value nobody else holds (it is frozen in place). */
export function written(timestamp: Timestamp, fresh: JsonValue): LWWRegister {
  return Object.freeze({ timestamp, value: freeze(fresh) });
}

/** A private copy of a JSON value, normalized (keys sorted, -0 as 0). */
export const copy = (value: JsonValue): JsonValue => JSON.parse(canonicalKey(value)) as JsonValue;

/**
 * The register nobody has written: {@link get} returns `undefined`.
 *
 * @example
 * ```ts
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * LWWRegister.get(LWWRegister.bottom); // => undefined
 * ```
 */
export const bottom: LWWRegister = Object.freeze({ timestamp: undefined, value: undefined });

/**
 * The total order of last-writer-wins: unwritten first, then by timestamp; two writes
 * with one timestamp (possible only if two replicas share an id) by canonical key.
 */
function order(a: LWWRegister, b: LWWRegister): number {
  if (a.timestamp === undefined || b.timestamp === undefined) return +!!a.timestamp - +!!b.timestamp;
  const byTime = compare(a.timestamp, b.timestamp);
  if (byTime !== 0 || a.value === b.value) return byTime;
  const [p, q] = [canonicalKey(a.value!), canonicalKey(b.value!)];
  return p < q ? -1 : p > q ? 1 : 0;
}

/**
 * Delta mutator: writes `value`. The write is stamped by `clock` after the clock has
 * received the register's current timestamp, so it is later than the write it
 * replaces even when this replica's wall clock is behind. Returns the delta (the new
 * write alone); merge it locally and send it to peers.
 *
 * @param state - the replica's current state
 * @param clock - this replica's hybrid logical clock
 * @param value - any JSON value (copied; later changes to it do not leak in)
 * @returns the delta
 * @throws InvalidValueError if `value` is not a JSON value; `ClockDriftError`
 * (from `@convergent/hlc`) if the register holds a timestamp more than
 * the clock's `maxDrift` ahead of its wall clock. Nothing changes in either case.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const clock = new Clock(asReplicaId('a'));
 * let state = LWWRegister.bottom;
 * state = LWWRegister.merge(state, LWWRegister.set(state, clock, { theme: 'dark' }));
 * state = LWWRegister.merge(state, LWWRegister.set(state, clock, { theme: 'light' }));
 * LWWRegister.get(state); // => { theme: 'light' }
 * ```
 */
export function set(state: LWWRegister, clock: Clock, value: JsonValue): LWWRegister {
  const fresh = copy(value);
  return written(state.timestamp === undefined ? clock.now() : clock.receive(state.timestamp), fresh);
}

/**
 * The register's value: the last write's, or `undefined` if nothing was written.
 *
 * @param state - a state
 * @returns the value (deeply frozen)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * LWWRegister.get(LWWRegister.set(LWWRegister.bottom, new Clock(asReplicaId('a')), [1, 2])); // => [1, 2]
 * ```
 */
export function get(state: LWWRegister): JsonValue | undefined {
  return state.value;
}

/**
 * Join of two states: the write with the larger timestamp (wall time, then logical
 * counter, then replica id).
 *
 * @param a - one state
 * @param b - another
 * @returns the least upper bound: `a` or `b` itself
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * // Two replicas write concurrently at the same wall time: the replica id breaks the tie.
 * const a = LWWRegister.set(LWWRegister.bottom, new Clock(asReplicaId('a'), { wallClock: () => 5 }), 'from a');
 * const b = LWWRegister.set(LWWRegister.bottom, new Clock(asReplicaId('b'), { wallClock: () => 5 }), 'from b');
 * LWWRegister.get(LWWRegister.merge(a, b)); // => 'from b'
 * LWWRegister.get(LWWRegister.merge(b, a)); // => 'from b'
 * ```
 */
export function merge(a: LWWRegister, b: LWWRegister): LWWRegister {
  return order(a, b) < 0 ? b : a;
}

/**
 * Whether `b` holds `a`'s write or a later one.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` iff `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const written = LWWRegister.set(LWWRegister.bottom, new Clock(asReplicaId('a')), 1);
 * LWWRegister.leq(LWWRegister.bottom, written); // => true
 * LWWRegister.leq(written, LWWRegister.bottom); // => false
 * ```
 */
export function leq(a: LWWRegister, b: LWWRegister): boolean {
  return order(a, b) <= 0;
}

/**
 * Structural equality: same timestamp and same value (by canonical key).
 *
 * @param a - one state
 * @param b - another
 * @returns `true` when equal
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const state = LWWRegister.set(LWWRegister.bottom, new Clock(asReplicaId('a')), { b: 1, a: 2 });
 * LWWRegister.equals(state, LWWRegister.decode(LWWRegister.encode(state))); // => true
 * LWWRegister.equals(state, LWWRegister.bottom); // => false
 * ```
 */
export function equals(a: LWWRegister, b: LWWRegister): boolean {
  return order(a, b) === 0;
}

/**
 * The first-writer-wins register: the same states, codec and {@link get} as
 * last-writer-wins, but the write with the *smallest* timestamp wins, and a replica
 * that already holds a value does not write. For values decided once and never
 * changed (an immutable record, a claim on a name). A lattice like the module itself;
 * do not mix its states with last-writer-wins ones.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const FWW: LWWRegister.FirstWriterWins = LWWRegister.firstWriterWins;
 * const early = FWW.set(FWW.bottom, new Clock(asReplicaId('b'), { wallClock: () => 1000 }), 'first');
 * const late = FWW.set(FWW.bottom, new Clock(asReplicaId('a'), { wallClock: () => 2000 }), 'second');
 * LWWRegister.get(FWW.merge(late, early)); // => 'first'
 * ```
 */
export interface FirstWriterWins {
  /** The unwritten register. */
  readonly bottom: LWWRegister;
  /**
   * Delta mutator: writes `value` if the register is unwritten (stamped `clock.now()`);
   * otherwise returns `bottom`, the empty delta.
   * @param state - the replica's current state
   * @param clock - this replica's hybrid logical clock
   * @param value - any JSON value (copied)
   * @returns the delta
   * @throws InvalidValueError if `value` is not a JSON value
   */
  set(state: LWWRegister, clock: Clock, value: JsonValue): LWWRegister;
  /**
   * Join: a written state over an unwritten one, else the smaller timestamp.
   * @param a - one state
   * @param b - another
   * @returns the least upper bound
   */
  merge(a: LWWRegister, b: LWWRegister): LWWRegister;
  /**
   * The order merge induces.
   * @param a - one state
   * @param b - another
   * @returns `true` iff `merge(a, b)` equals `b`
   */
  leq(a: LWWRegister, b: LWWRegister): boolean;
  /**
   * Structural equality (the same as last-writer-wins').
   * @param a - one state
   * @param b - another
   * @returns `true` when equal
   */
  equals(a: LWWRegister, b: LWWRegister): boolean;
}

// Unwritten stays lowest; among writes the order is reversed.
const firstOrder = (a: LWWRegister, b: LWWRegister): number =>
  a.timestamp === undefined || b.timestamp === undefined ? order(a, b) : order(b, a);

/**
 * The first-writer-wins register (see {@link FirstWriterWins}).
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const FWW = LWWRegister.firstWriterWins;
 * const clock = new Clock(asReplicaId('a'));
 * const claimed = FWW.merge(FWW.bottom, FWW.set(FWW.bottom, clock, 'order-7f3a'));
 * FWW.set(claimed, clock, 'something else') === FWW.bottom; // => true
 * LWWRegister.get(claimed); // => 'order-7f3a'
 * ```
 */
export const firstWriterWins: FirstWriterWins = Object.freeze({
  bottom,
  set: (state: LWWRegister, clock: Clock, value: JsonValue): LWWRegister => {
    const fresh = copy(value);
    return state.timestamp === undefined ? written(clock.now(), fresh) : bottom;
  },
  merge: (a: LWWRegister, b: LWWRegister): LWWRegister => (firstOrder(a, b) < 0 ? b : a),
  leq: (a: LWWRegister, b: LWWRegister): boolean => firstOrder(a, b) <= 0,
  equals,
});
