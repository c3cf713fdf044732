import { ensureHeadroom } from '@convergent/core';
import type { DotContext } from './dot-context.js';
import type { VersionVector } from './version-vector.js';

/**
 * Throws unless every replica can still `increment` after merging `delta` into
 * `state`: no count of `delta` may come within 1 of `Number.MAX_SAFE_INTEGER`
 * (`ensureHeadroom` of `@convergent/core`). A merged count is one side's count, and
 * `state`'s are already accepted, so only `delta` is read: O(|delta|).
 *
 * @param state - the receiver's vector
 * @param delta - the untrusted vector
 * @throws MergeRejectedError (from `@convergent/core`) otherwise; `state` is untouched
 *
 * @example
 * ```ts
 * import { MergeRejectedError } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * VersionVector.validateMerge(VersionVector.bottom, VersionVector.fromJSON({ counts: [['a', 5]] }));
 * let caught: unknown;
 * try {
 *   VersionVector.validateMerge(VersionVector.bottom, VersionVector.fromJSON({ counts: [['a', Number.MAX_SAFE_INTEGER]] }));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof MergeRejectedError; // => true
 * ```
 */
export function validateMerge(state: VersionVector, delta: VersionVector): void {
  void state;
  for (const n of delta.counts.values()) ensureHeadroom('count', n);
}

/**
 * Throws unless every replica can still make an event after merging a context:
 * no dot counter of `ctx` (vector or cloud) may come within 1 of
 * `Number.MAX_SAFE_INTEGER`, or `DotContext.next` would soon fail. The check that
 * the dotted types (`@convergent/or-set`, `@convergent/mv-register`) run on an
 * untrusted delta's context: O(|ctx|).
 *
 * @param ctx - the untrusted delta's causal context
 * @throws MergeRejectedError (from `@convergent/core`) otherwise
 *
 * @example
 * ```ts
 * import { asReplicaId, MergeRejectedError } from '@convergent/core';
 * import { DotContext, validateContext } from '@convergent/version-vector';
 *
 * validateContext(DotContext.fromDots([{ replica: asReplicaId('a'), counter: 3 }]));
 * let caught: unknown;
 * try {
 *   validateContext(DotContext.fromDots([{ replica: asReplicaId('a'), counter: Number.MAX_SAFE_INTEGER - 1 }]));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof MergeRejectedError; // => true
 * ```
 */
export function validateContext(ctx: DotContext): void {
  for (const n of ctx.vector.counts.values()) ensureHeadroom('dot counter', n);
  for (const set of ctx.cloud.values()) for (const n of set) ensureHeadroom('dot counter', n);
}
