import { DecodeError, decodeVersioned, jsonObject, Writer, type DecodeLimits, type Reader } from '@convergent/core';
import * as GSet from '@convergent/g-set';
import { live, of, type TwoPhaseSet } from './two-phase-set.js';

/**
 * The JSON form of a {@link TwoPhaseSet}: its two G-Sets, as `toJSON` of
 * `@convergent/g-set` writes them.
 *
 * @example
 * ```ts
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const json: TwoPhaseSet.TwoPhaseSetJSON = { added: { elements: ['a', 'b'] }, removed: { elements: ['b'] } };
 * TwoPhaseSet.elements(TwoPhaseSet.fromJSON(json)); // => ['a']
 * ```
 */
export interface TwoPhaseSetJSON {
  /** Every element ever added, removed ones included. */
  added: GSet.GSetJSON;
  /** The removed elements; each must also be in `added`. */
  removed: GSet.GSetJSON;
}

/** Format version of {@link encode}. */
const VERSION = 1;

/**
 * Writes a state's body (no version byte) into a writer, for types that embed a
 * 2P-Set in their own format: the live elements, then the removed ones, each as
 * `write` of `@convergent/g-set` writes a set (so no element is written twice).
 *
 * @param writer - where to write
 * @param state - the state
 *
 * @example
 * ```ts
 * import { Reader, Writer, asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * const w = new Writer();
 * TwoPhaseSet.write(w, TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), 'x'));
 * TwoPhaseSet.elements(TwoPhaseSet.read(new Reader(w.finish()))); // => ['x']
 * ```
 */
export function write(writer: Writer, state: TwoPhaseSet): void {
  GSet.write(writer, live(state));
  GSet.write(writer, state.removed);
}

/**
 * Reads what {@link write} wrote, validating it (the live and removed elements
 * must be disjoint).
 *
 * @param reader - where to read
 * @returns the state
 *
 * @example
 * ```ts
 * import { Reader } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.size(TwoPhaseSet.read(new Reader(new Uint8Array([0, 0])))); // => 0
 * ```
 */
export function read(reader: Reader): TwoPhaseSet {
  const present = GSet.read(reader);
  const at = reader.offset;
  const removed = GSet.read(reader);
  for (const key of removed.keys) if (present.keys.has(key)) reader.fail('element both live and removed', at);
  return of(GSet.merge(present, removed), removed);
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
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * Array.from(TwoPhaseSet.encode(TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), 7))); // => [1, 1, 1, 55, 0]
 * ```
 */
export function encode(state: TwoPhaseSet): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, state);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encode}.
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 *   `maxCount` bounds the live and the removed elements, each
 * @returns the state
 * @throws DecodeError on anything else: truncated input, an unknown version,
 * invalid or non-canonical JSON, elements out of order or repeated, an element
 * both live and removed, trailing bytes
 *
 * @example
 * ```ts
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.wasRemoved(TwoPhaseSet.decode(new Uint8Array([1, 0, 1, 1, 55])), 7); // => true
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): TwoPhaseSet {
  return decodeVersioned(bytes, VERSION, read, limits);
}

/**
 * JSON form ({@link TwoPhaseSetJSON}).
 *
 * @param state - the state
 * @returns a JSON-compatible value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.toJSON(TwoPhaseSet.add(TwoPhaseSet.bottom, asReplicaId('a'), 'x')); // => { added: { elements: ['x'] }, removed: { elements: [] } }
 * ```
 */
export function toJSON(state: TwoPhaseSet): TwoPhaseSetJSON {
  return { added: GSet.toJSON(state.added), removed: GSet.toJSON(state.removed) };
}

/**
 * Reads untrusted parsed JSON made by {@link toJSON}.
 *
 * @param json - the parsed JSON
 * @returns the state
 * @throws DecodeError on anything else (including a removed element that is not
 * in `added`), with the JSON path of the fault
 *
 * @example
 * ```ts
 * import * as TwoPhaseSet from '@convergent/two-phase-set';
 *
 * TwoPhaseSet.has(TwoPhaseSet.fromJSON({ added: { elements: ['x'] }, removed: { elements: [] } }), 'x'); // => true
 * ```
 */
export function fromJSON(json: unknown): TwoPhaseSet {
  const fields = jsonObject(json, ['added', 'removed'], '$');
  const added = GSet.fromJSON(fields.added, '$.added');
  const removed = GSet.fromJSON(fields.removed, '$.removed');
  if (!GSet.leq(removed, added)) throw new DecodeError('removed element missing from added', { path: '$.removed' });
  return of(added, removed);
}
