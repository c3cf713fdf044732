import { decodeVersioned, DecodeError, isJsonValue, jsonObject, readJson, writeJson, Writer, type JsonValue, type DecodeLimits, type Reader } from '@convergent/core';
import * as HLC from '@convergent/hlc';
import { bottom, copy, written, type LWWRegister } from './lww-register.js';

/** Format version of {@link encode}. */
const VERSION = 1;

/**
 * Writes a state's body (no version byte) into a writer, for types that embed a
 * register in their own format: a byte `0` for the unwritten register; else a byte
 * `1`, the timestamp (see `@convergent/hlc`'s `write`) and the value's canonical JSON
 * text (length-prefixed UTF-8).
 *
 * @param writer - where to write
 * @param state - the state
 *
 * @example
 * ```ts
 * import { Reader, Writer, asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const state = LWWRegister.set(LWWRegister.bottom, new Clock(asReplicaId('a')), 'x');
 * const w = new Writer();
 * LWWRegister.write(w, state);
 * LWWRegister.get(LWWRegister.read(new Reader(w.finish()))); // => 'x'
 * ```
 */
export function write(writer: Writer, state: LWWRegister): void {
  if (state.timestamp === undefined) {
    writer.byte(0);
  } else {
    HLC.write(writer.byte(1), state.timestamp);
    writeJson(writer, state.value!);
  }
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
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * LWWRegister.read(new Reader(new Uint8Array([0]))) === LWWRegister.bottom; // => true
 * ```
 */
export function read(reader: Reader): LWWRegister {
  const at = reader.offset;
  const tag = reader.byte();
  if (tag === 0) return bottom;
  if (tag !== 1) throw new DecodeError('expected 0 (unwritten) or 1 (written)', { offset: at });
  const timestamp = HLC.read(reader);
  return written(timestamp, readJson(reader));
}

/**
 * Binary encoding: a format-version byte (1), then the body of {@link write}. Equal
 * states encode to identical bytes.
 *
 * @param state - the state
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const state = LWWRegister.set(LWWRegister.bottom, new Clock(asReplicaId('a'), { wallClock: () => 5 }), true);
 * Array.from(LWWRegister.encode(state)); // => [1, 1, 5, 0, 1, 97, 4, 116, 114, 117, 101]
 * ```
 */
export function encode(state: LWWRegister): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, state);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encode}.
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 *   `maxStringBytes` bounds the id and the value's JSON text
 * @returns the state
 * @throws DecodeError on anything else: truncated input, an unknown version or tag,
 * an invalid timestamp, a value that is not canonical JSON, trailing bytes
 *
 * @example
 * ```ts
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * LWWRegister.get(LWWRegister.decode(new Uint8Array([1, 1, 5, 0, 1, 97, 4, 116, 114, 117, 101]))); // => true
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): LWWRegister {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * The JSON form of a register, as {@link toJSON} makes it: `null` for the unwritten
 * register, else the timestamp and the value.
 *
 * @example
 * ```ts
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const json: LWWRegister.LWWRegisterJSON = { timestamp: { wall: 5, logical: 0, replica: 'a' }, value: 'x' };
 * LWWRegister.get(LWWRegister.fromJSON(json)); // => 'x'
 * ```
 */
export type LWWRegisterJSON = null | {
  /** The write's timestamp. */
  timestamp: HLC.TimestampJSON;
  /** The written value. */
  value: JsonValue;
};

/**
 * JSON form: `null` when unwritten, else `{ "timestamp": { "wall", "logical",
 * "replica" }, "value": … }`.
 *
 * @param state - the state
 * @returns a JSON-compatible value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * const state = LWWRegister.set(LWWRegister.bottom, new Clock(asReplicaId('a'), { wallClock: () => 5 }), 'x');
 * LWWRegister.toJSON(state); // => { timestamp: { wall: 5, logical: 0, replica: 'a' }, value: 'x' }
 * LWWRegister.toJSON(LWWRegister.bottom); // => null
 * ```
 */
export function toJSON(state: LWWRegister): LWWRegisterJSON {
  return state.timestamp === undefined ? null : { timestamp: HLC.toJSON(state.timestamp), value: state.value! };
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
 * import * as LWWRegister from '@convergent/lww-register';
 *
 * LWWRegister.fromJSON(null) === LWWRegister.bottom; // => true
 * ```
 */
export function fromJSON(json: unknown): LWWRegister {
  if (json === null) return bottom;
  const fields = jsonObject(json, ['timestamp', 'value'], '$');
  const timestamp = HLC.fromJSON(fields.timestamp, '$.timestamp');
  const value = fields.value;
  if (!isJsonValue(value)) throw new DecodeError('expected a JSON value', { path: '$.value' });
  return written(timestamp, copy(value));
}
