import { DEFAULT_LIMITS } from './codec.js';
import { DecodeError } from './errors.js';
import { replicaIdProblem, type ReplicaId } from './replica-id.js';

/**
 * A plain object's own field, from untrusted parsed JSON (read with
 * `Object.hasOwn`, so `__proto__` and inherited properties never leak in).
 *
 * @param value - should be a plain object
 * @param key - the field
 * @param path - where `value` is, for the error (`$.counts[2]`)
 * @returns the field's value
 * @throws {@link DecodeError} with the path when `value` is not an object or lacks the field
 *
 * @example
 * ```ts
 * import { jsonField } from '@convergent/core';
 *
 * jsonField(JSON.parse('{"n": 3}'), 'n', '$'); // => 3
 * ```
 */
export function jsonField(value: unknown, key: string, path: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DecodeError('expected an object', { path });
  if (!Object.hasOwn(value, key)) throw new DecodeError(`missing "${key}"`, { path });
  return (value as Record<string, unknown>)[key];
}

/**
 * A plain object with exactly the given fields, from untrusted parsed JSON: every
 * key present, no other key. Rejecting unknown keys keeps JSON input canonical the
 * way binary input is (one accepted document per state), so a typo or a field from
 * a newer format fails loudly instead of being dropped. Fields are own properties
 * (`__proto__` and inherited properties never leak in).
 *
 * @param value - should be a plain object
 * @param keys - its fields, all required
 * @param path - where `value` is, for the error (`$.entries[2]`)
 * @returns the object, typed with those fields
 * @throws {@link DecodeError} with the path when `value` is not an object, lacks a
 * field or has another key
 *
 * @example
 * ```ts
 * import { DecodeError, jsonObject } from '@convergent/core';
 *
 * const { wall, replica } = jsonObject(JSON.parse('{"wall": 5, "replica": "a"}'), ['wall', 'replica'], '$');
 * wall; // => 5
 * replica; // => 'a'
 * let error: unknown;
 * try { jsonObject({ wall: 5, replica: 'a', extra: 1 }, ['wall', 'replica'], '$'); } catch (e) { error = e; }
 * error instanceof DecodeError; // => true
 * ```
 */
export function jsonObject<K extends string>(value: unknown, keys: readonly K[], path: string): { readonly [P in K]: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DecodeError('expected an object', { path });
  for (const key of keys) if (!Object.hasOwn(value, key)) throw new DecodeError(`missing "${key}"`, { path });
  // Every key is present, so any more own keys mean an unknown one.
  const own = Reflect.ownKeys(value);
  if (own.length !== keys.length) {
    const extra = own.find((key) => !(keys as readonly PropertyKey[]).includes(key));
    throw new DecodeError(`unknown key "${String(extra)}"`, { path });
  }
  return value as { readonly [P in K]: unknown };
}

/**
 * An array of at most `max` items, from untrusted parsed JSON.
 *
 * @param value - should be an array
 * @param path - where it is
 * @param max - the most items accepted
 * @returns the array
 * @throws {@link DecodeError} with the path otherwise
 *
 * @example
 * ```ts
 * import { jsonArray } from '@convergent/core';
 *
 * jsonArray([1, 2], '$', 5).length; // => 2
 * ```
 */
export function jsonArray(value: unknown, path: string, max: number = DEFAULT_LIMITS.maxCount): readonly unknown[] {
  if (!Array.isArray(value) || value.length > max) throw new DecodeError(`expected an array of at most ${max}`, { path });
  return value;
}

/**
 * A non-negative safe integer, from untrusted parsed JSON.
 *
 * @param value - should be one
 * @param path - where it is
 * @returns the number
 * @throws {@link DecodeError} with the path otherwise
 *
 * @example
 * ```ts
 * import { jsonNat } from '@convergent/core';
 *
 * jsonNat(7, '$.n'); // => 7
 * ```
 */
export function jsonNat(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new DecodeError('expected a non-negative safe integer', { path });
  return value as number;
}

/**
 * A string of at most `max` UTF-16 units without lone surrogates, from untrusted
 * parsed JSON.
 *
 * @param value - should be a string
 * @param path - where it is
 * @param max - the longest length accepted
 * @returns the string
 * @throws {@link DecodeError} with the path otherwise
 *
 * @example
 * ```ts
 * import { jsonString } from '@convergent/core';
 *
 * jsonString('hi', '$.s'); // => 'hi'
 * ```
 */
export function jsonString(value: unknown, path: string, max: number = DEFAULT_LIMITS.maxStringBytes): string {
  if (typeof value !== 'string' || value.length > max || !value.isWellFormed())
    throw new DecodeError(`expected a well-formed string of at most ${max}`, { path });
  return value;
}

/**
 * A valid {@link ReplicaId}, from untrusted parsed JSON.
 *
 * @param value - should be one
 * @param path - where it is
 * @returns the id
 * @throws {@link DecodeError} with the path otherwise
 *
 * @example
 * ```ts
 * import { jsonReplicaId } from '@convergent/core';
 *
 * jsonReplicaId('phone', '$.id'); // => 'phone'
 * ```
 */
export function jsonReplicaId(value: unknown, path: string): ReplicaId {
  const problem = replicaIdProblem(value);
  if (problem !== undefined) throw new DecodeError(problem, { path });
  return value as ReplicaId;
}
