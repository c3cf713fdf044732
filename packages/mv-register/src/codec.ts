import {
  canonicalKey,
  decodeVersioned,
  DecodeError,
  isJsonValue,
  jsonArray,
  jsonObject,
  jsonNat,
  jsonReplicaId,
  readJson,
  writeJson,
  Writer,
  type JsonValue,
  type DecodeLimits,
  type Reader,
} from '@convergent/core';
import { DotContext, type Dot, type DotContextJSON } from '@convergent/version-vector';
import { compareDots, freeze, of, type Entry, type MVRegister } from './mv-register.js';

/** Format version of {@link encode}. */
const VERSION = 1;

/**
 * Checks the entries' canonical form: dots strictly ascending, positive, each in the
 * context, and at most one per replica (a write supersedes its replica's earlier ones,
 * so no replica can reach two live values from one replica).
 */
function checked(entries: Entry[], context: DotContext, fail: (message: string, i: number) => never): MVRegister {
  entries.forEach((e, i) => {
    if (e.dot.counter < 1) fail('dot counter must be at least 1', i);
    if (i > 0 && compareDots(entries[i - 1]!.dot, e.dot) >= 0) fail('entries out of order or repeated', i);
    if (i > 0 && entries[i - 1]!.dot.replica === e.dot.replica) fail('two values from one replica', i);
    if (!DotContext.has(context, e.dot)) fail('entry dot missing from the context', i);
  });
  return of(entries, context);
}

/**
 * Writes a state's body (no version byte) into a writer, for types that embed a
 * register in their own format: the causal context (as `DotContext.write`), the number
 * of siblings, then per sibling in dot order its replica id, counter (varint) and
 * canonical JSON text.
 *
 * @param writer - where to write
 * @param state - the state
 *
 * @example
 * ```ts
 * import { Reader, Writer, asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const state = MVRegister.set(MVRegister.bottom, asReplicaId('a'), 'x');
 * const w = new Writer();
 * MVRegister.write(w, state);
 * MVRegister.values(MVRegister.read(new Reader(w.finish()))); // => ['x']
 * ```
 */
export function write(writer: Writer, state: MVRegister): void {
  DotContext.write(writer, state.context);
  writer.uint(state.entries.length);
  for (const { dot, value } of state.entries) {
    writer.string(dot.replica).uint(dot.counter);
    writeJson(writer, value);
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
 * import * as MVRegister from '@convergent/mv-register';
 *
 * MVRegister.values(MVRegister.read(new Reader(new Uint8Array([0, 0, 0])))); // => []
 * ```
 */
export function read(reader: Reader): MVRegister {
  const context = DotContext.read(reader);
  // Each entry takes at least 5 bytes: a 1-character id (2), a counter (1), a 1-character value (2).
  const n = reader.count(undefined, 5);
  const entries: Entry[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) {
    offsets.push(reader.offset);
    const replica = reader.replicaId();
    const counter = reader.uint();
    entries.push(Object.freeze({ dot: Object.freeze({ replica, counter }), value: freeze(readJson(reader)) }));
  }
  return checked(entries, context, (message, i) => reader.fail(message, offsets[i]));
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
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const state = MVRegister.set(MVRegister.bottom, asReplicaId('a'), 7);
 * Array.from(MVRegister.encode(state)); // => [1, 1, 1, 97, 1, 0, 1, 1, 97, 1, 1, 55]
 * ```
 */
export function encode(state: MVRegister): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, state);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encode}.
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 *   `maxCount` bounds every collection, the replicas named included
 * @returns the state
 * @throws DecodeError on anything else: truncated input, an unknown version, a
 * non-canonical context, siblings out of order or repeated, a sibling whose dot is
 * not in the context, a value that is not canonical JSON, trailing bytes
 *
 * @example
 * ```ts
 * import * as MVRegister from '@convergent/mv-register';
 *
 * MVRegister.values(MVRegister.decode(new Uint8Array([1, 1, 1, 97, 1, 0, 1, 1, 97, 1, 1, 55]))); // => [7]
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): MVRegister {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * The JSON form of a register, as {@link toJSON} makes it.
 *
 * @example
 * ```ts
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const json: MVRegister.MVRegisterJSON = {
 *   entries: [{ replica: 'a', counter: 1, value: 'Alice' }],
 *   context: { vector: [['a', 1]], cloud: [] },
 * };
 * MVRegister.values(MVRegister.fromJSON(json)); // => ['Alice']
 * ```
 */
export interface MVRegisterJSON {
  /** The siblings in dot order: the writing replica, its counter, the value. */
  entries: Array<{
    /** The replica that wrote the value. */
    replica: string;
    /** Its counter for that write (the dot's second half), at least 1. */
    counter: number;
    /** The value. */
    value: JsonValue;
  }>;
  /** The causal context (see `@convergent/version-vector`'s `DotContextJSON`). */
  context: DotContextJSON;
}

/**
 * JSON form: `{ "entries": [{ "replica", "counter", "value" }, …], "context": … }`.
 *
 * @param state - the state
 * @returns a JSON-compatible value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 *
 * const state = MVRegister.set(MVRegister.bottom, asReplicaId('a'), 'Alice');
 * MVRegister.toJSON(state); // => { entries: [{ replica: 'a', counter: 1, value: 'Alice' }], context: { vector: [['a', 1]], cloud: [] } }
 * ```
 */
export function toJSON(state: MVRegister): MVRegisterJSON {
  return {
    entries: state.entries.map(({ dot, value }) => ({ replica: dot.replica, counter: dot.counter, value })),
    context: DotContext.toJSON(state.context),
  };
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
 * import * as MVRegister from '@convergent/mv-register';
 *
 * MVRegister.values(MVRegister.fromJSON({ entries: [], context: { vector: [], cloud: [] } })); // => []
 * ```
 */
export function fromJSON(json: unknown): MVRegister {
  const fields = jsonObject(json, ['entries', 'context'], '$');
  const context = DotContext.fromJSON(fields.context, '$.context');
  const entries = jsonArray(fields.entries, '$.entries').map((item, i): Entry => {
    const at = `$.entries[${i}]`;
    const { replica, counter, value } = jsonObject(item, ['replica', 'counter', 'value'], at);
    const dot: Dot = Object.freeze({
      replica: jsonReplicaId(replica, `${at}.replica`),
      counter: jsonNat(counter, `${at}.counter`),
    });
    if (!isJsonValue(value)) throw new DecodeError('expected a JSON value', { path: `${at}.value` });
    return Object.freeze({ dot, value: freeze(JSON.parse(canonicalKey(value)) as JsonValue) });
  });
  return checked(entries, context, (message, i) => {
    throw new DecodeError(message, { path: `$.entries[${i}]` });
  });
}
