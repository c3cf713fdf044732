import { MergeRejectedError } from './errors.js';

/**
 * The one overflow rule every type's `validateMerge` applies: throws
 * {@link MergeRejectedError} when `value` (a counter's merged sum, a merged clock or
 * dot counter) comes within `size` of `Number.MAX_SAFE_INTEGER`, where `size` is what
 * the delta itself consumed (its number of elements; 1 for one increment or one dot).
 * After an accepted merge the receiver can therefore still make an edit as large as
 * the one it received, and its next query or mutation cannot overflow. Honest
 * replicas never come near the end of the range, so this rejects only hostile or
 * broken input.
 *
 * @param what - what `value` is, for the message
 * @param value - the value after the merge
 * @param size - the delta's own size (default 1)
 * @throws MergeRejectedError if `Number.MAX_SAFE_INTEGER - value <= size`
 *
 * @example
 * ```ts
 * import { ensureHeadroom, MergeRejectedError } from '@convergent/core';
 *
 * ensureHeadroom('clock', 1000, 5); // plenty of room: returns
 * let caught: unknown;
 * try {
 *   ensureHeadroom('clock', Number.MAX_SAFE_INTEGER - 1);
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof MergeRejectedError; // => true
 * ```
 */
export function ensureHeadroom(what: string, value: number, size = 1): void {
  // Written so that NaN and values past 2^53 (rounded float sums) are rejected too.
  if (!(Number.MAX_SAFE_INTEGER - value > size))
    throw new MergeRejectedError(`${what} ${value} would come within ${size} of Number.MAX_SAFE_INTEGER`);
}
