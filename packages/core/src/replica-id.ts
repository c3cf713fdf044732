import { InvalidReplicaIdError } from './errors.js';

declare const replicaIdBrand: unique symbol;

/**
 * The identity of one replica (a device, a tab, a session). A branded string: get
 * one from {@link replicaId} or validate your own with {@link asReplicaId}.
 *
 * Two live replicas must never share an id, or their histories corrupt each other;
 * generate a fresh id per session rather than persisting one per user.
 *
 * @example
 * ```ts
 * import { asReplicaId, type ReplicaId } from '@convergent/core';
 *
 * const alice: ReplicaId = asReplicaId('alice');
 * alice.length; // => 5
 * ```
 */
export type ReplicaId = string & {
  /** Compile-time brand only; no such property exists at run time. */
  readonly [replicaIdBrand]: true;
};

/**
 * The longest replica id accepted, in UTF-16 code units.
 *
 * @example
 * ```ts
 * import { MAX_REPLICA_ID_LENGTH, replicaIdProblem } from '@convergent/core';
 *
 * replicaIdProblem('x'.repeat(MAX_REPLICA_ID_LENGTH)); // => undefined
 * replicaIdProblem('x'.repeat(MAX_REPLICA_ID_LENGTH + 1)) !== undefined; // => true
 * ```
 */
export const MAX_REPLICA_ID_LENGTH = 64;

/**
 * Why `value` cannot be a replica id, or `undefined` when it can.
 *
 * @param value - any value
 * @returns a human-readable reason, or `undefined` for a valid id
 *
 * @example
 * ```ts
 * import { replicaIdProblem } from '@convergent/core';
 *
 * replicaIdProblem('alice'); // => undefined
 * replicaIdProblem(''); // => 'empty'
 * ```
 */
export function replicaIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'not a string';
  if (!value) return 'empty';
  if (value.length > MAX_REPLICA_ID_LENGTH) return 'too long';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'control character';
  if (!value.isWellFormed()) return 'lone surrogate';
  // Names that misbehave if they ever end up as a property key of a plain object.
  if (['__proto__', 'constructor', 'prototype'].includes(value)) return 'reserved name';
  return undefined;
}

/**
 * Validates a user-supplied string as a {@link ReplicaId}: non-empty, at most
 * {@link MAX_REPLICA_ID_LENGTH} characters, no control characters or lone
 * surrogates, not `__proto__`, `constructor` or `prototype`.
 *
 * @param value - the candidate id
 * @returns the same string, branded
 * @throws {@link InvalidReplicaIdError} when the string is not a valid id
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 *
 * asReplicaId('phone-1'); // => 'phone-1'
 * ```
 */
export function asReplicaId(value: string): ReplicaId {
  const problem = replicaIdProblem(value);
  if (problem !== undefined) throw new InvalidReplicaIdError(`invalid replica id: ${problem}`);
  return value as ReplicaId;
}

/**
 * A fresh random replica id: 96 bits from `crypto.getRandomValues` (browsers and
 * Node), written as 16 URL-safe base64 characters.
 *
 * @returns a new id, different from every other with overwhelming probability
 *
 * @example
 * ```ts
 * import { replicaId } from '@convergent/core';
 *
 * const id = replicaId();
 * id.length; // => 16
 * id === replicaId(); // => false
 * ```
 */
export function replicaId(): ReplicaId {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_') as ReplicaId;
}

/**
 * Orders replica ids by UTF-16 code units, the one order every replica agrees on
 * (used to break ties and to encode maps canonically).
 *
 * @param a - one id
 * @param b - another id
 * @returns negative, zero or positive, as for `Array.prototype.sort`
 *
 * @example
 * ```ts
 * import { asReplicaId, compareReplicaIds } from '@convergent/core';
 *
 * const ids = [asReplicaId('b'), asReplicaId('a')];
 * ids.sort(compareReplicaIds); // => ['a', 'b']
 * ```
 */
export function compareReplicaIds(a: ReplicaId, b: ReplicaId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
