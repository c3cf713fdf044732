import type { Reader, Writer } from './codec.js';
import { ConvergentError, DecodeError } from './errors.js';

/**
 * A value that survives JSON unchanged: `null`, a boolean, a finite number, a
 * string, an array of JSON values or a plain object of them. Elements of sets and
 * lists are JSON values, identified by their {@link canonicalKey}.
 *
 * @example
 * ```ts
 * import type { JsonValue } from '@convergent/core';
 *
 * const item: JsonValue = { sku: 'tv-55', qty: 1, tags: ['sale'] };
 * Array.isArray((item as { tags: JsonValue }).tags); // => true
 * ```
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

/**
 * A plain object whose values are {@link JsonValue}s.
 *
 * @example
 * ```ts
 * import type { JsonObject } from '@convergent/core';
 *
 * const point: JsonObject = { x: 1, y: 2 };
 * point.x; // => 1
 * ```
 */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * Thrown when a value that must be a {@link JsonValue} is not one (a function,
 * `undefined`, `NaN`, a class instance, a cycle, nesting deeper than
 * {@link MAX_JSON_DEPTH}).
 *
 * @example
 * ```ts
 * import { InvalidValueError, canonicalKey } from '@convergent/core';
 *
 * let caught: unknown;
 * try {
 *   canonicalKey(Number.NaN);
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof InvalidValueError; // => true
 * ```
 */
export class InvalidValueError extends ConvergentError {}

/**
 * The deepest nesting of arrays and objects a {@link JsonValue} may have; deeper
 * values (and cycles) are rejected rather than overflowing the stack.
 *
 * @example
 * ```ts
 * import { MAX_JSON_DEPTH, isJsonValue, type JsonValue } from '@convergent/core';
 *
 * let deep: JsonValue = 0;
 * for (let i = 0; i <= MAX_JSON_DEPTH; i++) deep = [deep];
 * isJsonValue(deep); // => false
 * ```
 */
export const MAX_JSON_DEPTH = 64;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function writeKey(value: unknown, depth: number, out: string[]): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidValueError(`${value} is not a JSON number`);
    out.push(JSON.stringify(value));
  } else if (typeof value === 'object') {
    if (depth >= MAX_JSON_DEPTH) throw new InvalidValueError(`JSON value nested deeper than ${MAX_JSON_DEPTH}`);
    if (Array.isArray(value)) {
      out.push('[');
      value.forEach((item, i) => {
        if (i > 0) out.push(',');
        writeKey(item, depth + 1, out);
      });
      out.push(']');
    } else if (isPlainObject(value)) {
      const keys = Object.keys(value).sort();
      out.push('{');
      keys.forEach((key, i) => {
        if (i > 0) out.push(',');
        out.push(JSON.stringify(key), ':');
        writeKey((value as Record<string, unknown>)[key], depth + 1, out);
      });
      out.push('}');
    } else {
      throw new InvalidValueError('only plain objects and arrays are JSON values');
    }
  } else {
    throw new InvalidValueError(`a ${typeof value} is not a JSON value`);
  }
}

/**
 * The canonical identity of a JSON value: its JSON text with object keys sorted, so
 * `{a: 1, b: 2}` and `{b: 2, a: 1}` have one key. `-0` and `0` share a key.
 *
 * @param value - the value to identify
 * @returns a string that is equal for equal values and different otherwise
 * @throws {@link InvalidValueError} if `value` is not a {@link JsonValue}
 *
 * @example
 * ```ts
 * import { canonicalKey } from '@convergent/core';
 *
 * canonicalKey({ b: 2, a: 1 }); // => '{"a":1,"b":2}'
 * canonicalKey({ a: 1, b: 2 }) === canonicalKey({ b: 2, a: 1 }); // => true
 * ```
 */
export function canonicalKey(value: JsonValue): string {
  const out: string[] = [];
  writeKey(value, 0, out);
  return out.join('');
}

/**
 * Whether `value` is a {@link JsonValue} (finite numbers only, plain objects only,
 * no cycles, at most {@link MAX_JSON_DEPTH} deep).
 *
 * @param value - anything
 * @returns `true` when `value` is a JSON value
 *
 * @example
 * ```ts
 * import { isJsonValue } from '@convergent/core';
 *
 * isJsonValue({ a: [1, 'x', null] }); // => true
 * isJsonValue({ a: undefined }); // => false
 * isJsonValue(new Map()); // => false
 * ```
 */
export function isJsonValue(value: unknown): value is JsonValue {
  try {
    writeKey(value, 0, []);
    return true;
  } catch (error) {
    if (error instanceof InvalidValueError) return false;
    throw error;
  }
}

/**
 * Parses the output of {@link canonicalKey} back into a value. The inverse of
 * `canonicalKey` on its own output.
 *
 * @param key - a canonical key
 * @returns the JSON value it identifies
 * @throws {@link InvalidValueError} if `key` is not a canonical key
 *
 * @example
 * ```ts
 * import { fromCanonicalKey } from '@convergent/core';
 *
 * fromCanonicalKey('{"a":1}'); // => { a: 1 }
 * ```
 */
export function fromCanonicalKey(key: string): JsonValue {
  let value: unknown;
  try {
    value = JSON.parse(key);
  } catch {
    throw new InvalidValueError('not a canonical key: invalid JSON');
  }
  if (!isJsonValue(value) || canonicalKey(value) !== key)
    throw new InvalidValueError('not a canonical key');
  return value;
}

/**
 * Writes a JSON value as its canonical key (a length-prefixed UTF-8 string), so
 * equal values encode to identical bytes.
 *
 * @param writer - where to write
 * @param value - a JSON value
 * @throws {@link InvalidValueError} if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { readJson, writeJson, Reader, Writer } from '@convergent/core';
 *
 * const w = new Writer();
 * writeJson(w, { b: [1, 2], a: 'x' });
 * readJson(new Reader(w.finish())); // => { a: 'x', b: [1, 2] }
 * ```
 */
export function writeJson(writer: Writer, value: JsonValue): void {
  writer.string(canonicalKey(value));
}

/**
 * Reads a JSON value written by {@link writeJson}; it must be in canonical form.
 *
 * @param reader - where to read
 * @param max - the longest encoding accepted, in bytes
 * @returns the value
 * @throws {@link DecodeError} on invalid or non-canonical JSON
 *
 * @example
 * ```ts
 * import { readJson, Reader, Writer } from '@convergent/core';
 *
 * readJson(new Reader(new Writer().string('[1,null]').finish())); // => [1, null]
 * ```
 */
export function readJson(reader: Reader, max?: number): JsonValue {
  const start = reader.offset;
  const key = reader.string(max);
  try {
    return fromCanonicalKey(key);
  } catch {
    throw new DecodeError('not a canonical JSON value', { offset: start });
  }
}
