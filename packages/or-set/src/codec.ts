import {
  canonicalKey,
  DecodeError,
  decodeVersioned,
  fromCanonicalKey,
  isJsonValue,
  jsonArray,
  jsonNat,
  jsonObject,
  jsonReplicaId,
  Writer,
  type JsonValue,
  type DecodeLimits,
  type Reader,
  type ReplicaId,
} from '@convergent/core';
import { DotContext, type Dot, type DotContextJSON } from '@convergent/version-vector';
import { elementDots, liveDots, of, type ElementDots, type ORSet } from './or-set.js';

/**
 * The JSON form of an {@link ORSet}.
 *
 * @example
 * ```ts
 * import * as ORSet from '@convergent/or-set';
 *
 * const json: ORSet.ORSetJSON = { context: { vector: [['a', 1]], cloud: [] }, entries: [['x', [['a', 1]]]] };
 * ORSet.elements(ORSet.fromJSON(json)); // => ['x']
 * ```
 */
export interface ORSetJSON {
  /** Every dot seen, as `DotContext.toJSON` of `@convergent/version-vector` writes it. */
  context: DotContextJSON;
  /**
   * The live elements in ascending canonical-key order, each with its live dots as
   * `[replicaId, counter]` pairs, ids ascending, one replica's dots (rarely more
   * than one) by ascending counter.
   */
  entries: Array<[JsonValue, Array<[string, number]>]>;
}

/** Format version of {@link encode}. */
const VERSION = 1;

/** The replicas a context knows, ascending: the table live dots index into. */
const replicasOf = (context: DotContext): ReplicaId[] =>
  [...new Set([...context.vector.counts.keys(), ...context.cloud.keys()])].sort();

const sortedKeys = (state: ORSet): string[] => [...state.entries.keys()].sort();

/**
 * Checks the state invariants shared by both decoders and makes the element's
 * dots; `fail` throws. `dots` is as read: it must be sorted by replica id, then
 * counter, without repeats.
 */
function checker(context: DotContext, fail: (message: string) => never) {
  const used = new Set<string>();
  let previous: string | undefined;
  return (key: string, dots: readonly Dot[]): ElementDots => {
    if (previous !== undefined && !(previous < key)) fail('elements out of order or repeated');
    previous = key;
    if (dots.length === 0) fail('element without dots');
    dots.forEach(({ replica, counter }, i) => {
      const before = dots[i - 1];
      if (before && (before.replica > replica || (before.replica === replica && before.counter >= counter))) fail('dots out of order or repeated');
      if (counter < 1 || !DotContext.has(context, { replica, counter })) fail('live dot missing from the context');
      const id = `${counter} ${replica}`;
      if (used.has(id)) fail('dot shared by two elements');
      used.add(id);
    });
    return elementDots(dots);
  };
}

/**
 * Writes a state's body (no version byte) into a writer, for types that embed an
 * OR-Set in their own format: the context (`DotContext.write`), then the number
 * of elements and, per element in ascending canonical-key order, its canonical
 * key (length-prefixed UTF-8), its number of dots and each dot as the gap to the
 * previous replica index minus one (indexes into the context's replica ids,
 * ascending) and the counter. An element holding several dots of one replica
 * (rare, see `ElementDots`) writes a 0 first, then its number of dots and each
 * dot as the plain gap to the previous replica index (0 for the first), so that
 * a replica may repeat, with ascending counters.
 *
 * @param writer - where to write
 * @param state - the state
 *
 * @example
 * ```ts
 * import { Reader, Writer, asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const w = new Writer();
 * ORSet.write(w, ORSet.add(ORSet.bottom, asReplicaId('a'), 'x'));
 * ORSet.elements(ORSet.read(new Reader(w.finish()))); // => ['x']
 * ```
 */
export function write(writer: Writer, state: ORSet): void {
  DotContext.write(writer, state.context);
  const index = new Map(replicasOf(state.context).map((r, i) => [r, i]));
  const keys = sortedKeys(state);
  writer.uint(keys.length);
  for (const key of keys) {
    const element = state.entries.get(key)!;
    const dots = liveDots(element);
    // A first count of 0 (no element is empty) marks the form that lets a replica repeat.
    const repeats = element.earlier !== undefined;
    writer.string(key);
    if (repeats) writer.uint(0);
    writer.uint(dots.length);
    let previous = repeats ? 0 : -1;
    for (const { replica, counter } of dots) {
      const i = index.get(replica)!;
      writer.uint(repeats ? i - previous : i - previous - 1).uint(counter);
      previous = i;
    }
  }
}

/**
 * Reads what {@link write} wrote, validating it: canonical keys in ascending
 * order, each element's dots in ascending order without repeats, dots that the
 * context holds, no dot shared by two elements.
 *
 * @param reader - where to read
 * @returns the state
 *
 * @example
 * ```ts
 * import { Reader } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * ORSet.size(ORSet.read(new Reader(new Uint8Array([0, 0, 0])))); // => 0
 * ```
 */
export function read(reader: Reader): ORSet {
  const context = DotContext.read(reader);
  const table = replicasOf(context);
  const entries = new Map<string, ElementDots>();
  let at = reader.offset;
  const check = checker(context, (message) => reader.fail(message, at));
  const n = reader.count(undefined, 5);
  for (let k = 0; k < n; k++) {
    at = reader.offset;
    const key = reader.string();
    try {
      fromCanonicalKey(key);
    } catch {
      reader.fail('not a canonical JSON value', at);
    }
    let m = reader.count(table.length, 2);
    const repeats = m === 0;
    if (repeats) m = reader.count(undefined, 2);
    const dots: Dot[] = [];
    let i = repeats ? 0 : -1;
    for (; m > 0; m--) {
      i += reader.uint(table.length) + (repeats ? 0 : 1);
      if (i >= table.length) reader.fail('replica index out of range', at);
      dots.push({ replica: table[i]!, counter: reader.uint() });
    }
    const element = check(key, dots);
    if (repeats && !element.earlier) reader.fail('repeated-replica form without a repeated replica', at);
    entries.set(key, element);
  }
  return of(entries, context);
}

/**
 * Binary encoding: a format-version byte (1), then the body {@link write} writes.
 * Equal states encode to identical bytes.
 *
 * @param state - the state
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * Array.from(ORSet.encode(ORSet.add(ORSet.bottom, asReplicaId('a'), 1))); // => [1, 1, 1, 97, 1, 0, 1, 1, 49, 1, 0, 1]
 * ```
 */
export function encode(state: ORSet): Uint8Array {
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
 * @throws DecodeError on anything else: truncated input, an unknown version,
 * invalid or non-canonical values, elements out of order, dots missing from the
 * context or shared, trailing bytes
 *
 * @example
 * ```ts
 * import * as ORSet from '@convergent/or-set';
 *
 * ORSet.elements(ORSet.decode(new Uint8Array([1, 1, 1, 97, 1, 0, 1, 1, 49, 1, 0, 1]))); // => [1]
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): ORSet {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * JSON form ({@link ORSetJSON}): the context, and the live elements with their dots.
 *
 * @param state - the state
 * @returns a JSON-compatible value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * ORSet.toJSON(ORSet.add(ORSet.bottom, asReplicaId('a'), 'x')); // => { context: { vector: [['a', 1]], cloud: [] }, entries: [['x', [['a', 1]]]] }
 * ```
 */
export function toJSON(state: ORSet): ORSetJSON {
  return {
    context: DotContext.toJSON(state.context),
    entries: sortedKeys(state).map((key) => [
      JSON.parse(key) as JsonValue,
      liveDots(state.entries.get(key)).map(({ replica, counter }): [string, number] => [replica, counter]),
    ]),
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
 * import * as ORSet from '@convergent/or-set';
 *
 * ORSet.has(ORSet.fromJSON({ context: { vector: [['a', 1]], cloud: [] }, entries: [[{ n: 1 }, [['a', 1]]]] }), { n: 1 }); // => true
 * ```
 */
export function fromJSON(json: unknown): ORSet {
  const fields = jsonObject(json, ['context', 'entries'], '$');
  const context = DotContext.fromJSON(fields.context, '$.context');
  const entries = new Map<string, ElementDots>();
  let at = '$.entries';
  const check = checker(context, (message) => {
    throw new DecodeError(message, { path: at });
  });
  jsonArray(fields.entries, at).forEach((entry, i) => {
    at = `$.entries[${i}]`;
    const pair = jsonArray(entry, at, 2);
    if (!isJsonValue(pair[0])) throw new DecodeError('not a JSON value', { path: at });
    const key = canonicalKey(pair[0]);
    const dots = jsonArray(pair[1], `${at}[1]`).map((dot, k): Dot => {
      const path = `${at}[1][${k}]`;
      const [replica, counter] = jsonArray(dot, path, 2);
      return { replica: jsonReplicaId(replica, path), counter: jsonNat(counter, path) };
    });
    entries.set(key, check(key, dots));
  });
  return of(entries, context);
}
