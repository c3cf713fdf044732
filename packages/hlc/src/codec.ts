import { decodeVersioned, DecodeError, jsonNat, jsonObject, jsonReplicaId, Writer, type DecodeLimits, type Reader } from '@convergent/core';
import { MAX_LOGICAL, MAX_WALL, timestamp, type Timestamp } from './hlc.js';

/** Format version of {@link encode}. */
const VERSION = 1;

/**
 * Writes a timestamp's body (no version byte): wall and logical as unsigned varints,
 * then the replica id (UTF-8, length-prefixed). For types that embed timestamps in
 * their own format.
 *
 * @param writer - where to write
 * @param value - the timestamp
 *
 * @example
 * ```ts
 * import { asReplicaId, Writer } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * const w = new Writer();
 * HLC.write(w, HLC.timestamp(300, 2, asReplicaId('a')));
 * Array.from(w.finish()); // => [172, 2, 2, 1, 97]
 * ```
 */
export function write(writer: Writer, value: Timestamp): void {
  writer.uint(value.wall).uint(value.logical).string(value.replica);
}

/**
 * Reads what {@link write} wrote, validating it: wall at most {@link MAX_WALL},
 * logical at most {@link MAX_LOGICAL}, a valid replica id.
 *
 * @param reader - where to read
 * @returns the timestamp
 *
 * @example
 * ```ts
 * import { Reader } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * HLC.read(new Reader(new Uint8Array([172, 2, 2, 1, 97]))); // => { wall: 300, logical: 2, replica: 'a' }
 * ```
 */
export function read(reader: Reader): Timestamp {
  const wall = reader.uint(MAX_WALL);
  const logical = reader.uint(MAX_LOGICAL);
  return timestamp(wall, logical, reader.replicaId());
}

/**
 * Binary encoding of one timestamp: a format-version byte (1), then the body of
 * {@link write}. About 8 bytes plus the replica id for a current wall time.
 *
 * @param value - the timestamp
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * Array.from(HLC.encode(HLC.timestamp(5, 0, asReplicaId('a')))); // => [1, 5, 0, 1, 97]
 * ```
 */
export function encode(value: Timestamp): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, value);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encode}.
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 *   `maxStringBytes` bounds the replica id
 * @returns the timestamp
 * @throws DecodeError on anything else: truncated input, an unknown version,
 * non-canonical varints, a wall or logical value out of range, an invalid replica id,
 * trailing bytes
 *
 * @example
 * ```ts
 * import * as HLC from '@convergent/hlc';
 *
 * HLC.decode(new Uint8Array([1, 5, 0, 1, 97])); // => { wall: 5, logical: 0, replica: 'a' }
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): Timestamp {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * The JSON form of a {@link Timestamp}, as {@link toJSON} makes it.
 *
 * @example
 * ```ts
 * import * as HLC from '@convergent/hlc';
 *
 * const json: HLC.TimestampJSON = { wall: 5, logical: 0, replica: 'a' };
 * HLC.fromJSON(json).wall; // => 5
 * ```
 */
export interface TimestampJSON {
  /** Milliseconds since the epoch. */
  wall: number;
  /** The logical counter. */
  logical: number;
  /** The issuing replica's id. */
  replica: string;
}

/**
 * JSON form: `{ "wall": n, "logical": n, "replica": id }`.
 *
 * @param value - the timestamp
 * @returns a JSON-compatible object
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as HLC from '@convergent/hlc';
 *
 * HLC.toJSON(HLC.timestamp(5, 0, asReplicaId('a'))); // => { wall: 5, logical: 0, replica: 'a' }
 * ```
 */
export function toJSON(value: Timestamp): TimestampJSON {
  return { wall: value.wall, logical: value.logical, replica: value.replica };
}

/**
 * Reads untrusted parsed JSON made by {@link toJSON}.
 *
 * @param json - the parsed JSON
 * @param path - where it sits in a larger document, for error messages (default `$`)
 * @returns the timestamp
 * @throws DecodeError on anything else, with the JSON path of the fault
 *
 * @example
 * ```ts
 * import * as HLC from '@convergent/hlc';
 *
 * HLC.fromJSON({ wall: 5, logical: 0, replica: 'a' }); // => { wall: 5, logical: 0, replica: 'a' }
 * ```
 */
export function fromJSON(json: unknown, path = '$'): Timestamp {
  const fields = jsonObject(json, ['wall', 'logical', 'replica'], path);
  const bounded = (key: 'wall' | 'logical', max: number): number => {
    const n = jsonNat(fields[key], `${path}.${key}`);
    if (n > max) throw new DecodeError(`${key} out of range`, { path: `${path}.${key}` });
    return n;
  };
  const wall = bounded('wall', MAX_WALL);
  const logical = bounded('logical', MAX_LOGICAL);
  return timestamp(wall, logical, jsonReplicaId(fields.replica, `${path}.replica`));
}
