import { MergeRejectedError, type ReplicaId } from '@convergent/core';
import { DEFAULT_MAX_DRIFT, type ClockOptions } from '@convergent/hlc';
import { merge, type LWWRegister } from './lww-register.js';

/**
 * The replica whose write `delta` carries: the replica in its timestamp (none for
 * the unwritten register). A `set` delta names the replica of the clock that
 * stamped it. Serves `firstWriterWins` too.
 *
 * @param delta - a delta or state
 * @returns the writer's id, or nothing, as a new set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const clock = new HLC.Clock(asReplicaId('a'));
 * [...LWWRegister.authors(LWWRegister.set(LWWRegister.bottom, clock, 'hi'))]; // => ['a']
 * LWWRegister.authors(LWWRegister.bottom).size; // => 0
 * ```
 */
export function authors(delta: LWWRegister): ReadonlySet<ReplicaId> {
  return new Set(delta.timestamp ? [delta.timestamp.replica] : []);
}

/**
 * A `validateMerge` for registers written with `Clock`s made with `options`: it
 * rejects a delta that would win the merge with a timestamp more than
 * `options.maxDrift` ahead of `options.wallClock()`. `set` calls `clock.receive`
 * with the register's timestamp, which refuses exactly such timestamps
 * (`ClockDriftError`), so accepting one would make every later local `set` throw
 * until the wall clock catches up (for a timestamp near `MAX_WALL`, for ever). A
 * delta that loses the merge changes nothing and is accepted. O(1).
 *
 * `firstWriterWins` needs no such check: its `set` never reads the stored timestamp.
 *
 * @param options - the options of the clocks that write the register (defaults as `Clock`'s)
 * @returns `(state, delta) => void`, throwing `MergeRejectedError` (from `@convergent/core`)
 *
 * @example
 * ```ts
 * import { asReplicaId, MergeRejectedError } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const validate = LWWRegister.validateMergeWith({ wallClock: () => 1000, maxDrift: 50 });
 * const ahead = (wall: number) => LWWRegister.set(LWWRegister.bottom, new HLC.Clock(asReplicaId('x'), { wallClock: () => wall }), 'v');
 * validate(LWWRegister.bottom, ahead(1040)); // within the drift: accepted
 * let caught: unknown;
 * try {
 *   validate(LWWRegister.bottom, ahead(2000));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof MergeRejectedError; // => true
 * ```
 */
export function validateMergeWith(options: ClockOptions = {}): (state: LWWRegister, delta: LWWRegister) => void {
  // Date.now read at each call, not captured, so that tests can fake the time.
  const { wallClock = () => Date.now(), maxDrift = DEFAULT_MAX_DRIFT } = options;
  return (state, delta) => {
    const t = delta.timestamp;
    if (t === undefined || merge(state, delta) === state) return;
    const drift = t.wall - Math.floor(wallClock());
    if (!(drift <= maxDrift)) throw new MergeRejectedError(`timestamp ${drift} ms ahead of the local clock`);
  };
}

/**
 * Throws `MergeRejectedError` (from `@convergent/core`) when `delta` would win the
 * merge with a timestamp more than `DEFAULT_MAX_DRIFT` (of `@convergent/hlc`) ahead
 * of `Date.now()`, which would make every later `set` throw. The check for clocks
 * with default options; for others use {@link validateMergeWith}.
 *
 * @param state - the receiver's state
 * @param delta - the untrusted delta
 *
 * @example
 * ```ts
 * import { MergeRejectedError } from '@convergent/core';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const future = LWWRegister.fromJSON({ timestamp: { wall: 8.64e15, logical: 0, replica: 'evil' }, value: 'x' });
 * let caught: unknown;
 * try {
 *   LWWRegister.validateMerge(LWWRegister.bottom, future);
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof MergeRejectedError; // => true
 * ```
 */
// Pure: an app that never calls it does not bundle it.
export const validateMerge: (state: LWWRegister, delta: LWWRegister) => void = /* @__PURE__ */ validateMergeWith();
