import {
  compareReplicaIds,
  DecodeError,
  decodeWith,
  DEFAULT_LIMITS,
  isJsonValue,
  jsonArray,
  jsonField,
  jsonNat,
  jsonReplicaId,
  readInt,
  readJson,
  Writer,
  writeInt,
  writeJson,
  type JsonValue,
  type Reader,
  type ReplicaId,
} from '@convergent/core';
import {
  asDoc,
  integrate,
  sortByCounter,
  isChar,
  kindOf,
  maximal,
  mk,
  sequence,
  storedValue,
  type Piece,
  type RGA,
} from './rga.js';

/**
 * One run of elements in the JSON form of an {@link RGA}:
 * `[replica, counter, origin, content]`. The run holds elements `counter`,
 * `counter + 1`, … inserted by `replica`, each after the previous one; the first
 * was inserted after `origin` (`[replica, counter]`, or `null` for the start of the
 * list). `content` is a string (one element per character), an array of other JSON
 * values, or the number of deleted elements.
 *
 * @example
 * ```ts
 * import * as RGA from '@convergent/rga';
 *
 * const run: RGA.RunJSON = ['a', 1, null, 'hi'];
 * RGA.text(RGA.fromJSON({ runs: [run], pending: [] })); // => 'hi'
 * ```
 */
export type RunJSON = [replica: string, counter: number, origin: [string, number] | null, content: string | JsonValue[] | number];

/**
 * The JSON form of an {@link RGA}: the runs of the list in order, deleted runs
 * included, and the pending runs (waiting for their origin) sorted by replica and
 * counter. Runs are maximal.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const json: RGA.RGAJSON = RGA.toJSON(RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hi'));
 * json; // => { runs: [['a', 1, null, 'hi']], pending: [] }
 * ```
 */
export interface RGAJSON {
  /** The list's runs in order. */
  runs: RunJSON[];
  /** Runs whose origin has not arrived, by replica then counter. */
  pending: RunJSON[];
}

/** Format version of {@link encode}. */
const VERSION = 1;

const SURROGATE = /[\uD800-\uDFFF]/;

type Fail = (message: string) => never;

const encoder = new TextEncoder();

// Whether two lists hold the same runs (stored values are canonical, so their JSON is too).
const same = (a: readonly Piece[], b: readonly Piece[]): boolean => JSON.stringify(a.map(runToJSON)) === JSON.stringify(b.map(runToJSON));

/**
 * Validates runs (from either codec) and builds the state: integrates them in list
 * order and requires the result to be exactly the input (same runs, same order,
 * maximal, pending runs really waiting and sorted, no identity twice).
 */
function build(seq: Piece[], pending: Piece[], fail: Fail): RGA {
  let textBytes = 0;
  const check = (p: Piece): void => {
    if (p.c < 1 || p.n < 1 || p.n > DEFAULT_LIMITS.maxCount || p.c + p.n - 1 > Number.MAX_SAFE_INTEGER) fail('bad run');
    if (p.or === null ? p.oc !== 0 : p.oc < 1 || p.oc >= p.c) fail('bad origin');
    if (typeof p.v === 'string') {
      if (SURROGATE.test(p.v)) fail('bad text');
      textBytes += encoder.encode(p.v).length;
      if (textBytes > DEFAULT_LIMITS.maxStringBytes) fail('too much text');
    } else if (p.v?.some(isChar)) fail('non-canonical value');
  };
  seq.forEach(check);
  pending.forEach(check);
  const state = integrate(sortByCounter([...seq, ...pending]));
  const { seq: out, pending: waiting } = runs(state);
  if (!same(out, seq) || !same(waiting, pending)) fail('non-canonical state');
  return state;
}

function runs(state: RGA): { seq: Piece[]; pending: readonly Piece[] } {
  const d = asDoc(state);
  return { seq: maximal(sequence(d)), pending: d.waiting };
}

// Origin modes: 0 start of list, 1 the previous run's last element, 2 the same replica's
// previous counter, 3 explicit.
function originMode(p: Piece, prev: Piece | undefined): number {
  if (p.or === null) return 0;
  if (prev !== undefined && p.or === prev.r && p.oc === prev.c + prev.n - 1) return 1;
  if (p.or === p.r && p.oc === p.c - 1) return 2;
  return 3;
}

// A run's header: kind (0 deleted, 1 text, 2 values) | origin mode << 2 | same replica
// as the previous run << 4 | min(length - 1, 3) << 5 (longer lengths follow as a varint).
const header = (p: Piece, prev: Piece | undefined): number =>
  kindOf(p.v) | (originMode(p, prev) << 2) | (prev?.r === p.r ? 16 : 0) | (Math.min(p.n - 1, 3) << 5);

/**
 * Writes a state's body (no version byte) into a writer, for types that embed an
 * RGA in their own format.
 *
 * @param writer - where to write
 * @param state - the state
 *
 * @example
 * ```ts
 * import { Reader, Writer, asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const w = new Writer();
 * RGA.write(w, RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hi'));
 * RGA.text(RGA.read(new Reader(w.finish()))); // => 'hi'
 * ```
 */
export function write(writer: Writer, state: RGA): void {
  const { seq, pending } = runs(state);

  const replicas = new Set<ReplicaId>();
  for (const list of [seq, pending])
    for (const p of list) {
      replicas.add(p.r);
      if (p.or !== null) replicas.add(p.or);
    }
  const ids = [...replicas].sort(compareReplicaIds);
  const number = new Map(ids.map((id, i) => [id, i]));
  writer.uint(ids.length);
  for (const id of ids) writer.string(id);
  // All text first, as one string; text runs then take their length of it in order.
  writer.string([...seq, ...pending].map((p) => (typeof p.v === 'string' ? p.v : '')).join(''));
  for (const list of [seq, pending]) {
    writer.uint(list.length);
    let prev: Piece | undefined;
    for (const p of list) {
      const mode = originMode(p, prev);
      writer.uint(header(p, prev));
      if (prev?.r !== p.r) writer.uint(number.get(p.r)!);
      writeInt(writer, p.c - (prev === undefined ? 0 : prev.c + prev.n));
      if (p.n > 3) writer.uint(p.n - 4);
      if (mode === 3) writer.uint(number.get(p.or!)!).uint(p.c - 1 - p.oc);
      if (typeof p.v === 'object' && p.v !== null) for (const v of p.v) writeJson(writer, v);
      prev = p;
    }
  }
}

/**
 * Reads what {@link write} wrote, validating all of it: identities unique, every
 * origin earlier in the list, the order the one RGA produces, runs maximal, the
 * encoding canonical.
 *
 * @param reader - where to read
 * @returns the state
 * @throws `DecodeError` on invalid input
 *
 * @example
 * ```ts
 * import { Reader } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * RGA.length(RGA.read(new Reader(new Uint8Array([0, 0, 0, 0])))); // => 0
 * ```
 */
export function read(reader: Reader): RGA {
  const nIds = reader.count(undefined, 2);
  const ids: ReplicaId[] = [];
  for (let i = 0; i < nIds; i++) {
    const at = reader.offset;
    const id = reader.replicaId();
    if (i > 0 && compareReplicaIds(ids[i - 1]!, id) >= 0) reader.fail('unsorted ids', at);
    ids.push(id);
  }
  const used = new Set<number>();
  const replica = (at: number): ReplicaId => {
    const i = reader.uint();
    if (i >= ids.length) reader.fail('bad replica index', at);
    used.add(i);
    return ids[i]!;
  };
  const text = reader.string();
  let offset = 0;
  const lists: Piece[][] = [];
  for (let s = 0; s < 2; s++) {
    const n = reader.count(undefined, 2);
    const list: Piece[] = [];
    let prev: Piece | undefined;
    for (let i = 0; i < n; i++) {
      const at = reader.offset;
      const head = reader.uint(127);
      const kind = head & 3;
      const mode = (head >> 2) & 3;
      // A missing previous run makes `prev!` throw, which decodeWith reports.
      const r = head & 16 ? prev!.r : replica(at);
      const c = (prev === undefined ? 0 : prev.c + prev.n) + readInt(reader);
      const len = head < 96 ? (head >> 5) + 1 : reader.uint(reader.limits.maxCount - 4) + 4;
      let or: ReplicaId | null = null;
      let oc = 0;
      if (mode === 1) (or = prev!.r), (oc = prev!.c + prev!.n - 1);
      else if (mode === 2) (or = r), (oc = c - 1);
      else if (mode === 3) {
        or = replica(at);
        oc = c - 1 - reader.uint();
      }
      let v: Piece['v'] = null;
      if (kind === 2) {
        const values: JsonValue[] = [];
        for (let j = 0; j < len; j++) values.push(storedValue(readJson(reader)));
        v = values;
      } else if (kind === 1) {
        v = text.slice(offset, (offset += len));
        if (offset > text.length) reader.fail('bad text', at);
      }
      const p = mk(r, c, len, or, oc, v);
      // The header the encoder would write: rejects every other choice.
      if (head !== header(p, prev)) reader.fail('bad run', at);
      list.push(p);
      prev = p;
    }
    lists.push(list);
  }
  if (offset !== text.length || used.size !== ids.length) reader.fail('bad text');
  return build(lists[0]!, lists[1]!, (message) => reader.fail(message));
}

/**
 * Binary encoding: a format-version byte (1), the replica ids (sorted), all text as
 * one UTF-8 string, then the runs of the list in order and the pending runs (each a
 * header byte with the length when it is at most 4, a replica index when it changes,
 * the counter as a difference from the previous run's end, a longer length, the origin
 * when it is not implied, values for
 * non-text runs; text runs take their length of the text in order). Deleted runs carry
 * no content. Equal states encode to identical bytes.
 *
 * @param state - the state
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hi');
 * Array.from(RGA.encode(doc)); // => [1, 1, 1, 97, 2, 104, 105, 1, 33, 0, 1, 0]
 * ```
 */
export function encode(state: RGA): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, state);
  return writer.finish();
}

/**
 * Decodes bytes from {@link encode}, validating them completely.
 *
 * @param bytes - untrusted bytes
 * @returns the state
 * @throws `DecodeError` on anything but a canonical encoding of a valid state
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hi');
 * RGA.text(RGA.decode(RGA.encode(doc))); // => 'hi'
 * ```
 */
export function decode(bytes: Uint8Array): RGA {
  return decodeWith(bytes, (reader) => {
    reader.version(VERSION);
    return read(reader);
  });
}

function runToJSON(p: Piece): RunJSON {
  return [p.r, p.c, p.or === null ? null : [p.or, p.oc], p.v === null ? p.n : typeof p.v === 'string' ? p.v : [...p.v]];
}

/**
 * The JSON form of a state (see {@link RGAJSON}).
 *
 * @param state - the state
 * @returns a plain JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'abc'));
 * doc = RGA.merge(doc, RGA.deleteText(doc, a, 1, 1));
 * RGA.toJSON(doc).runs; // => [['a', 1, null, 'a'], ['a', 2, ['a', 1], 1], ['a', 3, ['a', 2], 'c']]
 * ```
 */
export function toJSON(state: RGA): RGAJSON {
  const { seq, pending } = runs(state);
  return { runs: seq.map(runToJSON), pending: pending.map(runToJSON) };
}

function runFromJSON(json: unknown, path: string): Piece {
  const run = jsonArray(json, path, 4);
  const origin = run[2] === null ? null : jsonArray(run[2], path, 2);
  const content = run[3];
  const values = typeof content === 'object' ? jsonArray(content, path) : null;
  if (
    run.length !== 4 ||
    (origin !== null && origin.length !== 2) ||
    (typeof content !== 'string' && typeof content !== 'number' && values === null) ||
    (values !== null && !values.every(isJsonValue))
  )
    throw new DecodeError('expected [replica, counter, origin, content]', { path });
  return mk(
    jsonReplicaId(run[0], path),
    jsonNat(run[1], path),
    typeof content === 'number' ? jsonNat(content, path) : (values ?? (content as string)).length,
    origin === null ? null : jsonReplicaId(origin[0], path),
    origin === null ? 0 : jsonNat(origin[1], path),
    typeof content === 'string' ? content : values === null ? null : values.map((v) => storedValue(v as JsonValue)),
  );
}

/**
 * Reads the JSON form, validating it as {@link decode} validates bytes.
 *
 * @param json - untrusted parsed JSON
 * @returns the state
 * @throws `DecodeError` with the JSON path of the fault
 *
 * @example
 * ```ts
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.fromJSON({ runs: [['a', 1, null, [1, 2]]], pending: [] });
 * RGA.toArray(doc); // => [1, 2]
 * ```
 */
export function fromJSON(json: unknown): RGA {
  const lists = (['runs', 'pending'] as const).map((key) =>
    jsonArray(jsonField(json, key, '$'), `$.${key}`).map((run, i) => runFromJSON(run, `$.${key}[${i}]`)),
  );
  return build(lists[0]!, lists[1]!, (message) => {
    throw new DecodeError(message, { path: '$' });
  });
}
