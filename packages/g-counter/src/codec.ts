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
import type { GCounter } from './g-counter.js';

/**
 * The JSON form of a {@link GCounter}.
 *
 * @example
 * ```ts
 * import * as GCounter from '@convergent/g-counter';
 *
 * const json: GCounter.GCounterJSON = { counts: [['a', 3]] };
 * GCounter.value(GCounter.fromJSON(json)); // => 3
 * ```
 */
export interface GCounterJSON {
  /** `[replicaId, count]` pairs, ids ascending, counts positive. */
  counts: Array<[string, number]>;
}

/** Format version of {@link encode}. */
const VERSION = 1;

/**
 * Writes a state's body (no version byte) into a writer, for types that embed a
 * G-Counter in their own format.
 *
 * @param writer - where to write
 * @param state - the state
 *
 * @example
 * ```ts
 * import { Reader, Writer, asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const state = GCounter.increment(GCounter.bottom, asReplicaId('a'), 2);
 * const w = new Writer();
 * GCounter.write(w, state);
 * GCounter.value(GCounter.read(new Reader(w.finish()))); // => 2
 * ```
 */
export function write(writer: Writer, state: GCounter): void {
  writeCounts(writer, state.counts);
}

/**
 * Reads what {@link write} wrote, validating it.
 *
 * @param reader - where to read
 * @returns the state
 *
 * @example
 * ```ts
 * import { Reader } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * GCounter.value(GCounter.read(new Reader(new Uint8Array([0])))); // => 0
 * ```
 */
export function read(reader: Reader): GCounter {
  return Object.freeze({ counts: readCounts(reader) });
}

/**
 * Binary encoding: a format-version byte (1), then the number of replicas and each
 * replica id (UTF-8) with its count (varint), ids in ascending order. Equal states
 * encode to identical bytes.
 *
 * @param state - the state
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const state = GCounter.increment(GCounter.bottom, asReplicaId('a'), 3);
 * Array.from(GCounter.encode(state)); // => [1, 1, 1, 97, 3]
 * ```
 */
export function encode(state: GCounter): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, state);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encode}.
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 * `maxCount` is the most replicas the state may name
 * @returns the state
 * @throws DecodeError on anything else: truncated input, an unknown version, ids
 * that are invalid, repeated or out of order, zero counts, more replicas than
 * `limits.maxCount`, trailing bytes
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS, DecodeError } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * GCounter.value(GCounter.decode(new Uint8Array([1, 1, 1, 97, 3]))); // => 3
 * const two = GCounter.encode(GCounter.fromJSON({ counts: [['a', 1], ['b', 1]] }));
 * let caught: unknown;
 * try {
 *   GCounter.decode(two, { ...DEFAULT_LIMITS, maxCount: 1 });
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof DecodeError; // => true
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): GCounter {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * JSON form: `{ "counts": [[replicaId, count], …] }`, ids ascending.
 *
 * @param state - the state
 * @returns a JSON-compatible value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 *
 * GCounter.toJSON(GCounter.increment(GCounter.bottom, asReplicaId('a'), 3)); // => { counts: [['a', 3]] }
 * ```
 */
export function toJSON(state: GCounter): GCounterJSON {
  return { counts: countsToJSON(state.counts) };
}

/**
 * Reads untrusted parsed JSON made by {@link toJSON}.
 *
 * @param json - the parsed JSON
 * @returns the state
 * @throws DecodeError on anything else, with the JSON path of the fault
 *
 * @example
 * ```ts
 * import * as GCounter from '@convergent/g-counter';
 *
 * GCounter.value(GCounter.fromJSON({ counts: [['a', 3], ['b', 4]] })); // => 7
 * ```
 */
export function fromJSON(json: unknown): GCounter {
  return Object.freeze({ counts: countsFromJSON(jsonObject(json, ['counts'], '$').counts, '$.counts') });
}
