import {
  canonicalKey,
  DecodeError,
  decodeVersioned,
  fromCanonicalKey,
  isJsonValue,
  jsonArray,
  jsonObject,
  Writer,
  type JsonValue,
  type DecodeLimits,
  type Reader,
} from '@convergent/core';
import { elements, type GSet } from './g-set.js';

/**
 * The JSON form of a {@link GSet}.
 *
 * @example
 * ```ts
 * import * as GSet from '@convergent/g-set';
 *
 * const json: GSet.GSetJSON = { elements: ['a', 'b'] };
 * GSet.size(GSet.fromJSON(json)); // => 2
 * ```
 */
export interface GSetJSON {
  /** The elements, in ascending canonical-key order, no two with the same key. */
  elements: JsonValue[];
}

/** Format version of {@link encode}. */
const VERSION = 1;

/**
 * Writes a state's body (no version byte) into a writer, for types that embed a
 * G-Set in their own format: the number of elements, then each element's
 * canonical key (varint length + UTF-8), in ascending order.
 *
 * @param writer - where to write
 * @param state - the state
 *
 * @example
 * ```ts
 * import { Writer, asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * const w = new Writer();
 * GSet.write(w, GSet.add(GSet.bottom, asReplicaId('a'), 7));
 * Array.from(w.finish()); // => [1, 1, 55]
 * ```
 */
export function write(writer: Writer, state: GSet): void {
  const keys = [...state.keys].sort();
  writer.uint(keys.length);
  for (const key of keys) writer.string(key);
}

/**
 * Reads what {@link write} wrote, accepting only canonical keys in strictly
 * ascending order.
 *
 * @param reader - where to read
 * @returns the state
 *
 * @example
 * ```ts
 * import { Reader } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * GSet.elements(GSet.read(new Reader(new Uint8Array([1, 1, 55])))); // => [7]
 * ```
 */
export function read(reader: Reader): GSet {
  const keys = new Set<string>();
  let previous: string | undefined;
  for (let n = reader.count(undefined, 2); n > 0; n--) {
    const at = reader.offset;
    const key = reader.string();
    try {
      fromCanonicalKey(key);
    } catch {
      reader.fail('not a canonical JSON value', at);
    }
    if (previous !== undefined && !(previous < key)) reader.fail('elements out of order or repeated', at);
    keys.add((previous = key));
  }
  return Object.freeze({ keys });
}

/**
 * Binary encoding: a format-version byte (1), then the body {@link write} writes.
 * Equal sets encode to identical bytes.
 *
 * @param state - the state
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * Array.from(GSet.encode(GSet.add(GSet.bottom, asReplicaId('a'), 7))); // => [1, 1, 1, 55]
 * ```
 */
export function encode(state: GSet): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, state);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encode}.
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 *   `maxCount` bounds the number of elements
 * @returns the state
 * @throws DecodeError on anything else: truncated input, an unknown version,
 * invalid or non-canonical JSON, elements out of order or repeated, trailing bytes
 *
 * @example
 * ```ts
 * import * as GSet from '@convergent/g-set';
 *
 * GSet.size(GSet.decode(new Uint8Array([1, 0]))); // => 0
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): GSet {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * JSON form ({@link GSetJSON}): the elements in ascending canonical-key order.
 *
 * @param state - the state
 * @returns a JSON-compatible value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GSet from '@convergent/g-set';
 *
 * GSet.toJSON(GSet.add(GSet.bottom, asReplicaId('a'), { n: 1 })); // => { elements: [{ n: 1 }] }
 * ```
 */
export function toJSON(state: GSet): GSetJSON {
  return { elements: elements(state) };
}

/**
 * Reads untrusted parsed JSON made by {@link toJSON}.
 *
 * @param json - the parsed JSON
 * @param path - the JSON path of `json`, for error messages (default `$`)
 * @returns the state
 * @throws DecodeError on anything else (non-JSON values, elements out of order or
 * repeated), with the JSON path of the fault
 *
 * @example
 * ```ts
 * import * as GSet from '@convergent/g-set';
 *
 * GSet.has(GSet.fromJSON({ elements: ['a', 1] }), 'a'); // => true
 * ```
 */
export function fromJSON(json: unknown, path = '$'): GSet {
  const keys = new Set<string>();
  let previous: string | undefined;
  jsonArray(jsonObject(json, ['elements'], path).elements, `${path}.elements`).forEach((value, i) => {
    const at = `${path}.elements[${i}]`;
    if (!isJsonValue(value)) throw new DecodeError('not a JSON value', { path: at });
    const key = canonicalKey(value);
    if (previous !== undefined && !(previous < key)) throw new DecodeError('elements out of order or repeated', { path: at });
    keys.add((previous = key));
  });
  return Object.freeze({ keys });
}
