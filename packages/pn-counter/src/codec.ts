import { countsFromJSON, countsToJSON, decodeVersioned, jsonObject, Writer, type DecodeLimits, type Reader } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import { of, type PNCounter } from './pn-counter.js';

/**
 * The JSON form of a {@link PNCounter}.
 *
 * @example
 * ```ts
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const json: PNCounter.PNCounterJSON = { increments: [['a', 3]], decrements: [['b', 1]] };
 * PNCounter.value(PNCounter.fromJSON(json)); // => 2
 * ```
 */
export interface PNCounterJSON {
  /** `[replicaId, count]` pairs of increments, ids ascending. */
  increments: Array<[string, number]>;
  /** `[replicaId, count]` pairs of decrements, ids ascending. */
  decrements: Array<[string, number]>;
}

/** Format version of {@link encode}. */
const VERSION = 1;

/**
 * Writes a state's body (no version byte), for types that embed a PN-Counter.
 *
 * @param writer - where to write
 * @param state - the state
 *
 * @example
 * ```ts
 * import { Reader, Writer, asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * const w = new Writer();
 * PNCounter.write(w, PNCounter.decrement(PNCounter.bottom, asReplicaId('a'), 2));
 * PNCounter.value(PNCounter.read(new Reader(w.finish()))); // => -2
 * ```
 */
export function write(writer: Writer, state: PNCounter): void {
  GCounter.write(writer, state.increments);
  GCounter.write(writer, state.decrements);
}

/**
 * Reads what {@link write} wrote, validating it: at most `reader.limits.maxCount`
 * distinct replicas in the two halves together.
 *
 * @param reader - where to read
 * @returns the state
 *
 * @example
 * ```ts
 * import { Reader } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * PNCounter.value(PNCounter.read(new Reader(new Uint8Array([0, 0])))); // => 0
 * ```
 */
export function read(reader: Reader): PNCounter {
  const increments = GCounter.read(reader);
  const decrements = GCounter.read(reader);
  const replicas = new Set([...increments.counts.keys(), ...decrements.counts.keys()]);
  if (replicas.size > reader.limits.maxCount) reader.fail('too many replicas');
  return of(increments, decrements);
}

/**
 * Binary encoding: a format-version byte (1), then the increments and the
 * decrements, each as a G-Counter body (count, then ids ascending with counts).
 *
 * @param state - the state
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * Array.from(PNCounter.encode(PNCounter.decrement(PNCounter.bottom, asReplicaId('a')))); // => [1, 0, 1, 1, 97, 1]
 * ```
 */
export function encode(state: PNCounter): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, state);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encode}.
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 * `maxCount` is the most distinct replicas the state may name
 * @returns the state
 * @throws DecodeError on anything else, including more replicas than `limits.maxCount`
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS, DecodeError } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * PNCounter.value(PNCounter.decode(new Uint8Array([1, 0, 1, 1, 97, 1]))); // => -1
 * const two = PNCounter.encode(PNCounter.fromJSON({ increments: [['a', 1]], decrements: [['b', 1]] }));
 * let caught: unknown;
 * try {
 *   PNCounter.decode(two, { ...DEFAULT_LIMITS, maxCount: 1 });
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof DecodeError; // => true
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): PNCounter {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * JSON form: `{ "increments": [[id, n], …], "decrements": [[id, n], …] }`, ids ascending.
 *
 * @param state - the state
 * @returns a JSON-compatible value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * PNCounter.toJSON(PNCounter.increment(PNCounter.bottom, asReplicaId('a'))); // => { increments: [['a', 1]], decrements: [] }
 * ```
 */
export function toJSON(state: PNCounter): PNCounterJSON {
  return { increments: countsToJSON(state.increments.counts), decrements: countsToJSON(state.decrements.counts) };
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
 * import * as PNCounter from '@convergent/pn-counter';
 *
 * PNCounter.value(PNCounter.fromJSON({ increments: [['a', 3]], decrements: [['a', 1]] })); // => 2
 * ```
 */
export function fromJSON(json: unknown): PNCounter {
  const fields = jsonObject(json, ['increments', 'decrements'], '$');
  const side = (key: 'increments' | 'decrements') => Object.freeze({ counts: countsFromJSON(fields[key], `$.${key}`) });
  return of(side('increments'), side('decrements'));
}
