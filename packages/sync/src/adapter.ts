import type { Counts, DecodeLimits, Lattice, ReplicaId } from '@convergent/core';

/**
 * What the sync protocol needs to know about a type: its lattice and binary codec
 * (enough for full-state sync), and optionally its causal capabilities, which let a
 * reconnecting peer receive only what it lacks.
 *
 * A Convergent type module satisfies the full-state part as it is
 * (`import * as GCounter from '@convergent/g-counter'` is a `SyncAdapter`). Causal
 * types add `seen` and `missing`, both or neither.
 *
 * Contract for `seen` and `missing`: `seen(s)` is a version vector such that `s` holds
 * every event `(replica, 1..n)` it names; `missing(s, v)` is a state (usually small)
 * with `merge(t, missing(s, v))` holding everything `s` holds whenever `seen(t)` covers
 * `v`. Sending `s` itself is always a correct, if large, answer.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import type { Counts } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import type { SyncAdapter } from '@convergent/sync';
 *
 * // Full state: the module as it is.
 * const plain: SyncAdapter<GCounter.GCounter> = GCounter;
 * // Causal: a G-Counter's counts are its own version vector.
 * const causal: SyncAdapter<GCounter.GCounter> = {
 *   ...GCounter,
 *   seen: (state) => state.counts,
 *   missing: (state, seen: Counts) => ({ counts: new Map([...state.counts].filter(([id, n]) => n > (seen.get(id) ?? 0))) }),
 * };
 * plain.leq(plain.bottom, causal.bottom); // => true
 * ```
 */
export interface SyncAdapter<S> extends Lattice<S> {
  /**
   * Binary encoding.
   * @param state - a state
   * @returns its bytes
   */
  encode(state: S): Uint8Array;
  /**
   * Decoding of untrusted bytes; must throw only `DecodeError`.
   * @param bytes - the bytes
   * @param limits - bounds on what the bytes may hold (the replica passes its sync
   * limits: `maxCount` is the most replicas a payload may name)
   * @returns the state
   */
  decode(bytes: Uint8Array, limits?: DecodeLimits): S;
  /**
   * The replica ids whose events (dots, counter entries, element ids) `delta`
   * creates. On an authenticated link a peer may send only deltas whose authors are
   * its own ids. Types without it are accepted on unauthenticated links only. The
   * replica also uses it to refuse an `initial` state holding events of its own id.
   * @param delta - a delta or state
   * @param state - the receiver's state: lets a type name the authors of events the
   * delta claims that the receiver does not hold (RGA: a tombstone of an element the
   * receiver never saw is a claim about its inserter)
   * @returns the authoring replica ids
   */
  authors?(delta: S, state?: S): Iterable<ReplicaId>;
  /**
   * Throws `MergeRejectedError` (from core) when merging `delta` into `state` would
   * make a query or the next local mutation fail (a sum past
   * `Number.MAX_SAFE_INTEGER`, a clock too close to it); the replica then rejects
   * the delta before merging anything.
   * @param state - the receiver's state
   * @param delta - the untrusted delta
   */
  validateMerge?(state: S, delta: S): void;
  /**
   * Causal types only: what a state has seen, as a version vector.
   * @param state - a state
   * @returns the version vector
   */
  seen?(state: S): Counts;
  /**
   * Causal types only: the part of `state` that a peer which has seen `peerSeen` lacks.
   * @param state - this replica's state
   * @param peerSeen - the peer's version vector
   * @returns a state holding at least what the peer lacks
   */
  missing?(state: S, peerSeen: Counts): S;
}
