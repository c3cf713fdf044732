import { compareReplicaIds, ConvergentError, type ReplicaId } from '@convergent/core';

/**
 * A hybrid logical clock timestamp: wall time in milliseconds, a logical counter
 * that orders events within one millisecond (or while the wall clock lags), and the
 * replica that issued it. Totally ordered by (wall, logical, replica): see
 * {@link compare}. A frozen value.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * const t: HLC.Timestamp = HLC.timestamp(1_700_000_000_000, 0, asReplicaId('a'));
 * t.wall; // => 1700000000000
 * ```
 */
export interface Timestamp {
  /** Milliseconds since the Unix epoch, as the issuing clock saw (or inferred) it. */
  readonly wall: number;
  /** Orders timestamps that share a wall time; 0 whenever the wall time just advanced. */
  readonly logical: number;
  /** The replica that issued it; breaks ties, so no two replicas' timestamps are equal. */
  readonly replica: ReplicaId;
}

/**
 * The largest wall time a timestamp may carry: 8.64e15 ms, the last instant a
 * JavaScript `Date` can represent (year 275760).
 *
 * @example
 * ```ts
 * import * as HLC from '@convergent/hlc';
 *
 * new Date(HLC.MAX_WALL).getUTCFullYear(); // => 275760
 * ```
 */
export const MAX_WALL = 8.64e15;

/**
 * The largest logical counter a timestamp may carry: 2³² − 1. A clock that would pass
 * it moves its wall time one millisecond ahead instead.
 *
 * @example
 * ```ts
 * import * as HLC from '@convergent/hlc';
 *
 * HLC.MAX_LOGICAL; // => 4294967295
 * ```
 */
export const MAX_LOGICAL = 0xffffffff;

/**
 * How far ahead of the local wall clock, in milliseconds, a remote timestamp may be
 * before {@link Clock.receive} rejects it: 60 000 (one minute).
 *
 * @example
 * ```ts
 * import * as HLC from '@convergent/hlc';
 *
 * HLC.DEFAULT_MAX_DRIFT; // => 60000
 * ```
 */
export const DEFAULT_MAX_DRIFT = 60_000;

const isIn = (n: unknown, max: number): boolean => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= max;

/**
 * Makes a timestamp, checking its fields.
 *
 * @param wall - an integer from 0 to {@link MAX_WALL}
 * @param logical - an integer from 0 to {@link MAX_LOGICAL}
 * @param replica - the issuing replica
 * @returns the frozen timestamp
 * @throws RangeError if `wall` or `logical` is out of range
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * HLC.timestamp(5, 1, asReplicaId('a')); // => { wall: 5, logical: 1, replica: 'a' }
 * ```
 */
export function timestamp(wall: number, logical: number, replica: ReplicaId): Timestamp {
  if (!isIn(wall, MAX_WALL) || !isIn(logical, MAX_LOGICAL)) throw new RangeError(`timestamp out of range: ${wall}, ${logical}`);
  return Object.freeze({ wall, logical, replica });
}

/**
 * The total order of timestamps: by wall time, then logical counter, then replica id.
 * Every replica agrees on it, and two timestamps compare equal only when all three
 * fields are equal.
 *
 * @param a - one timestamp
 * @param b - another
 * @returns negative if `a` is earlier, positive if later, 0 if equal
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * const [a, b] = [asReplicaId('a'), asReplicaId('b')];
 * HLC.compare(HLC.timestamp(5, 0, b), HLC.timestamp(5, 1, a)) < 0; // => true
 * HLC.compare(HLC.timestamp(5, 1, b), HLC.timestamp(5, 1, a)) > 0; // => true
 * ```
 */
export function compare(a: Timestamp, b: Timestamp): number {
  return a.wall - b.wall || a.logical - b.logical || compareReplicaIds(a.replica, b.replica);
}

/**
 * Thrown by {@link Clock.receive} for a remote timestamp more than the clock's
 * `maxDrift` ahead of its wall clock, or for the largest timestamp there is (even with
 * `maxDrift: Infinity`: nothing could be issued after it). The clock is left
 * unchanged, so one peer with a clock far in the future cannot drag every other clock
 * forward.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * const clock = new HLC.Clock(asReplicaId('a'), { wallClock: () => 1000, maxDrift: 100 });
 * let caught: unknown;
 * try {
 *   clock.receive(HLC.timestamp(5000, 0, asReplicaId('b')));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof HLC.ClockDriftError; // => true
 * (caught as HLC.ClockDriftError).drift; // => 4000
 * ```
 */
export class ClockDriftError extends ConvergentError {
  /**
   * @param remote - the rejected timestamp
   * @param drift - how far ahead of the local wall clock it was, in milliseconds
   */
  constructor(
    /** The rejected timestamp. */
    readonly remote: Timestamp,
    /** How far ahead of the local wall clock it was, in milliseconds. */
    readonly drift: number,
  ) {
    super(`remote timestamp is ${drift} ms ahead of the local clock`);
  }
}

/**
 * Options for a {@link Clock}.
 *
 * @example
 * ```ts
 * import type { ClockOptions } from '@convergent/hlc';
 *
 * let fake = 0;
 * const options: ClockOptions = { wallClock: () => fake, maxDrift: 5_000 };
 * options.maxDrift; // => 5000
 * ```
 */
export interface ClockOptions {
  /** Reads the wall clock in milliseconds since the epoch (default `Date.now`); inject one to test skew. */
  readonly wallClock?: () => number;
  /** The most, in milliseconds, a received timestamp may be ahead of the wall clock (default {@link DEFAULT_MAX_DRIFT}; `Infinity` accepts anything). */
  readonly maxDrift?: number;
}

/**
 * A hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014) for one
 * replica. Every timestamp it issues is greater than every timestamp it issued or
 * received before, however skewed the wall clocks involved, and stays close to the
 * wall time. A small mutable object: keep one per replica.
 *
 * To resume after a restart, {@link Clock.receive} the last timestamp you persisted.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * let time = 1000;
 * const clock = new HLC.Clock(asReplicaId('a'), { wallClock: () => time });
 * clock.now(); // => { wall: 1000, logical: 0, replica: 'a' }
 * clock.now(); // => { wall: 1000, logical: 1, replica: 'a' }
 * time = 2000;
 * clock.now(); // => { wall: 2000, logical: 0, replica: 'a' }
 * ```
 */
export class Clock {
  /** The replica whose timestamps this clock issues. */
  readonly replica: ReplicaId;
  /** The largest drift {@link Clock.receive} accepts, in milliseconds. */
  readonly maxDrift: number;
  private readonly read: () => number;
  private wall = 0;
  private logical = 0;

  /**
   * @param replica - this replica's id
   * @param options - wall clock and maximum drift
   * @throws RangeError if `maxDrift` is negative or NaN
   */
  constructor(replica: ReplicaId, options: ClockOptions = {}) {
    const maxDrift = options.maxDrift ?? DEFAULT_MAX_DRIFT;
    if (!(maxDrift >= 0)) throw new RangeError(`maxDrift must be non-negative, got ${maxDrift}`);
    this.replica = replica;
    this.maxDrift = maxDrift;
    this.read = options.wallClock ?? Date.now;
  }

  /** The last timestamp issued (wall and logical 0 before the first). */
  get last(): Timestamp {
    return timestamp(this.wall, this.logical, this.replica);
  }

  private physical(): number {
    const t = Math.floor(this.read());
    if (!isIn(t, MAX_WALL)) throw new RangeError(`wall clock returned ${t}`);
    return t;
  }

  private advance(wall: number, logical: number): Timestamp {
    // Rather than overflow the counter, borrow a millisecond from the future.
    if (logical > MAX_LOGICAL) [wall, logical] = [wall + 1, 0];
    if (wall > MAX_WALL) throw new RangeError('clock exhausted: it has issued the largest timestamp');
    const t = timestamp(wall, logical, this.replica);
    this.wall = wall;
    this.logical = logical;
    return t;
  }

  /**
   * Issues a timestamp for a local event (a write): greater than every timestamp
   * this clock issued or received before.
   *
   * @returns the new timestamp
   * @throws RangeError if the wall clock returns something that is not a time from 0
   * to {@link MAX_WALL}, or once the clock has issued the largest timestamp (reachable
   * only by receiving one next to it with the drift guard off)
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import * as HLC from '@convergent/hlc';
   *
   * const clock = new HLC.Clock(asReplicaId('a'));
   * const first = clock.now();
   * HLC.compare(clock.now(), first) > 0; // => true
   * ```
   */
  now(): Timestamp {
    const pt = this.physical();
    return pt > this.wall ? this.advance(pt, 0) : this.advance(this.wall, this.logical + 1);
  }

  /**
   * Takes in a timestamp seen on a message or state from another replica, and issues
   * the timestamp of that receive event: greater than `remote` and than everything
   * this clock issued or received before. Every later {@link Clock.now} is greater too.
   *
   * @param remote - the remote timestamp
   * @returns the new timestamp
   * @throws {@link ClockDriftError} if `remote` is more than `maxDrift` ahead of the
   * wall clock, or is the largest timestamp there is ({@link MAX_WALL}, {@link MAX_LOGICAL}),
   * which leaves nothing later to issue, whatever `maxDrift` (`Infinity` included);
   * RangeError if `remote` is malformed, the wall clock misbehaves or the clock has
   * issued the largest timestamp. In every case the clock is unchanged.
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import * as HLC from '@convergent/hlc';
   *
   * // This replica's wall clock is behind the sender's.
   * const clock = new HLC.Clock(asReplicaId('b'), { wallClock: () => 900 });
   * clock.receive(HLC.timestamp(1000, 4, asReplicaId('a'))); // => { wall: 1000, logical: 5, replica: 'b' }
   * clock.now(); // => { wall: 1000, logical: 6, replica: 'b' }
   * ```
   */
  receive(remote: Timestamp): Timestamp {
    const { wall, logical } = timestamp(remote.wall, remote.logical, remote.replica);
    const pt = this.physical();
    // The largest timestamp is refused even with the guard off: no receive event can follow it.
    if (wall - pt > this.maxDrift || (wall === MAX_WALL && logical === MAX_LOGICAL)) throw new ClockDriftError(remote, wall - pt);
    const l = Math.max(this.wall, wall, pt);
    return this.advance(
      l,
      l === this.wall && l === wall
        ? Math.max(this.logical, logical) + 1
        : l === this.wall
          ? this.logical + 1
          : l === wall
            ? logical + 1
            : 0,
    );
  }
}
