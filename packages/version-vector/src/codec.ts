import {
  countsFromJSON,
  countsToJSON,
  decodeVersioned,
  jsonObject,
  readCounts,
  writeCounts,
  Writer,
  type DecodeLimits,
  type Reader,
} from '@convergent/core';
import { of, type VersionVector } from './version-vector.js';

/**
 * The JSON form of a {@link VersionVector}.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const json: VersionVector.VersionVectorJSON = { counts: [['a', 3]] };
 * VersionVector.get(VersionVector.fromJSON(json), asReplicaId('a')); // => 3
 * ```
 */
export interface VersionVectorJSON {
  /** `[replicaId, count]` pairs, ids ascending, counts positive. */
  counts: Array<[string, number]>;
}

/** Format version of {@link encode}. */
const VERSION = 1;

/**
 * Writes a vector's body (no version byte) into a writer, for types that embed a
 * version vector in their own format.
 *
 * @param writer - where to write
 * @param vv - the vector
 *
 * @example
 * ```ts
 * import { Reader, Writer, asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * const w = new Writer();
 * VersionVector.write(w, VersionVector.increment(VersionVector.bottom, a));
 * VersionVector.get(VersionVector.read(new Reader(w.finish())), a); // => 1
 * ```
 */
export function write(writer: Writer, vv: VersionVector): void {
  writeCounts(writer, vv.counts);
}

/**
 * Reads what {@link write} wrote, validating it.
 *
 * @param reader - where to read
 * @returns the vector
 *
 * @example
 * ```ts
 * import { Reader } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * VersionVector.read(new Reader(new Uint8Array([0]))).counts.size; // => 0
 * ```
 */
export function read(reader: Reader): VersionVector {
  return of(readCounts(reader));
}

/**
 * Binary encoding: a format-version byte (1), then the number of replicas and each
 * replica id (UTF-8) with its count (varint), ids in ascending order. Equal vectors
 * encode to identical bytes.
 *
 * @param vv - the vector
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * Array.from(VersionVector.encode(VersionVector.increment(VersionVector.bottom, asReplicaId('a')))); // => [1, 1, 1, 97, 1]
 * ```
 */
export function encode(vv: VersionVector): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, vv);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encode}.
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 *   `maxCount` bounds every collection, the replicas named included
 * @returns the vector
 * @throws DecodeError on anything else: truncated input, an unknown version, ids
 * that are invalid, repeated or out of order, zero counts, trailing bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * VersionVector.get(VersionVector.decode(new Uint8Array([1, 1, 1, 97, 3])), asReplicaId('a')); // => 3
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): VersionVector {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * JSON form: `{ "counts": [[replicaId, count], …] }`, ids ascending.
 *
 * @param vv - the vector
 * @returns a JSON-compatible value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * VersionVector.toJSON(VersionVector.increment(VersionVector.bottom, asReplicaId('a'))); // => { counts: [['a', 1]] }
 * ```
 */
export function toJSON(vv: VersionVector): VersionVectorJSON {
  return { counts: countsToJSON(vv.counts) };
}

/**
 * Reads untrusted parsed JSON made by {@link toJSON}.
 *
 * @param json - the parsed JSON
 * @returns the vector
 * @throws DecodeError on anything else, with the JSON path of the fault
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as VersionVector from '@convergent/version-vector';
 *
 * VersionVector.get(VersionVector.fromJSON({ counts: [['a', 3], ['b', 4]] }), asReplicaId('b')); // => 4
 * ```
 */
export function fromJSON(json: unknown): VersionVector {
  return of(countsFromJSON(jsonObject(json, ['counts'], '$').counts, '$.counts'));
}
