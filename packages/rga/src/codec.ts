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
  canJoin,
  chunksOf,
  isChar,
  kindOf,
  makeDoc,
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

// UTF-8 length of a string without surrogates.
function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) n += code >= 0x800 ? 2 : 1;
  }
  return n;
}

/** Validates runs (from either codec) and builds the state. */
function build(seq: Piece[], pending: Piece[], fail: Fail): RGA {
  const MAX = Number.MAX_SAFE_INTEGER;
  let max = 0;
  let seqMax = 0;
  let length = 0;
  let textBytes = 0;
  const check = (p: Piece, i: number, list: Piece[], what: string): void => {
    if (p.c < 1 || p.n < 1 || p.n > DEFAULT_LIMITS.maxCount || p.c + p.n - 1 > MAX) fail(`${what} ${i}: bad counter or length`);
    if (p.or === null ? p.oc !== 0 : p.oc < 1 || p.oc >= p.c) fail(`${what} ${i}: origin must precede the run`);
    if (i > 0 && canJoin(list[i - 1]!, p)) fail(`${what} ${i}: not a maximal run`);
    if (typeof p.v === 'string') {
      if (p.v.length !== p.n || SURROGATE.test(p.v)) fail(`${what} ${i}: bad text`);
      textBytes += utf8Length(p.v);
      if (textBytes > DEFAULT_LIMITS.maxStringBytes) fail('too much text');
    } else if (p.v !== null) {
      if (p.v.length !== p.n) fail(`${what} ${i}: bad length`);
      for (const v of p.v) if (isChar(v)) fail(`${what} ${i}: a character stored as a value`);
    }
    if (p.c + p.n - 1 > max) max = p.c + p.n - 1;
  };
  seq.forEach((p, i) => {
    check(p, i, seq, 'run');
    if (p.c + p.n - 1 > seqMax) seqMax = p.c + p.n - 1;
    if (p.v !== null) length += p.n;
  });
  pending.forEach((p, i) => check(p, i, pending, 'pending run'));

  // Identities are unique.
  const byId = [...seq, ...pending].sort((a, b) => compareReplicaIds(a.r, b.r) || a.c - b.c);
  for (let i = 1; i < byId.length; i++) {
    const a = byId[i - 1]!;
    const b = byId[i]!;
    if (a.r === b.r && b.c < a.c + a.n) fail('an element identity occurs twice');
  }

  // Index of the sequence by identity, for origins.
  const positions = new Map<Piece, number>();
  let pos = 0;
  for (const p of seq) {
    positions.set(p, pos);
    pos += p.n;
  }
  const index = seq.slice().sort((a, b) => compareReplicaIds(a.r, b.r) || a.c - b.c);
  const positionOf = (r: ReplicaId, c: number): number => {
    let lo = 0;
    let hi = index.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = index[mid]!;
      const cmp = compareReplicaIds(p.r, r) || (c < p.c ? 1 : c >= p.c + p.n ? -1 : 0);
      if (cmp === 0) return positions.get(p)! + c - p.c;
      if (cmp < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -2;
  };

  // The order is the one RGA integration produces: appending each run after its
  // origin, everything between the origin and the end orders after the run.
  // `stack` holds the suffix minima of the elements so far, as (position, id) runs.
  const stack: Array<{ pos: number; c: number; r: ReplicaId; n: number }> = [];
  const greater = (c1: number, r1: string, c2: number, r2: string) => c1 > c2 || (c1 === c2 && r1 > r2);
  pos = 0;
  seq.forEach((p, i) => {
    const origin = p.or === null ? -1 : positionOf(p.or, p.oc);
    if (origin === -2 || origin >= pos) fail(`run ${i}: origin is not earlier in the list`);
    // The suffix minimum after the origin.
    let lo = 0;
    let hi = stack.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = stack[mid]!;
      if (e.pos + e.n - 1 > origin) hi = mid;
      else lo = mid + 1;
    }
    const e = stack[lo];
    if (e !== undefined) {
      const at = Math.max(e.pos, origin + 1);
      if (!greater(e.c + at - e.pos, e.r, p.c, p.r)) fail(`run ${i}: not in RGA order`);
    }
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (greater(top.c, top.r, p.c, p.r)) {
        stack.pop();
        continue;
      }
      const keep = Math.min(top.n, p.c - top.c + (top.r > p.r ? 0 : 1));
      if (keep < top.n) stack[stack.length - 1] = { ...top, n: keep };
      break;
    }
    stack.push({ pos, c: p.c, r: p.r, n: p.n });
    pos += p.n;
  });

  pending.forEach((p, i) => {
    const before = pending[i - 1];
    if (before !== undefined && (compareReplicaIds(before.r, p.r) || before.c - p.c) >= 0) fail(`pending run ${i}: not sorted`);
    if (p.or === null || positionOf(p.or, p.oc) !== -2) fail(`pending run ${i}: its origin is known, it cannot be pending`);
  });
  return makeDoc(chunksOf(seq), length, seqMax, max, pending, seq.length) as unknown as RGA;
}

function runs(state: RGA): { seq: Piece[]; pending: readonly Piece[] } {
  const d = asDoc(state);
  return { seq: maximal(sequence(d)), pending: d.pending };
}

// Binary run header: kind (0 deleted, 1 text, 2 values) | origin mode << 2 | same replica << 4.
// Origin modes: 0 start of list, 1 the previous run's last element, 2 the same replica's
// previous counter, 3 explicit.
function originMode(p: Piece, prev: Piece | undefined): number {
  if (p.or === null) return 0;
  if (prev !== undefined && p.or === prev.r && p.oc === prev.c + prev.n - 1) return 1;
  if (p.or === p.r && p.oc === p.c - 1) return 2;
  return 3;
}

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
  const text: string[] = [];
  for (const list of [seq, pending]) {
    writer.uint(list.length);
    let prev: Piece | undefined;
    for (const p of list) {
      const mode = originMode(p, prev);
      const same = prev !== undefined && prev.r === p.r;
      writer.uint(kindOf(p.v) | (mode << 2) | (same ? 16 : 0));
      if (!same) writer.uint(number.get(p.r)!);
      writeInt(writer, p.c - (prev === undefined ? 0 : prev.c + prev.n));
      writer.uint(p.n - 1);
      if (mode === 3) writer.uint(number.get(p.or!)!).uint(p.c - 1 - p.oc);
      if (typeof p.v === 'string') text.push(p.v);
      else if (p.v !== null) for (const v of p.v) writeJson(writer, v);
      prev = p;
    }
  }
  writer.string(text.join(''));
}

/**
 * Reads what {@link write} wrote, validating all of it: identities unique, every
 * origin earlier in the list, the order the one RGA produces, runs maximal, the
 * encoding canonical.
 *
 * @param reader - where to read
 * @returns the state
 * @throws {@link DecodeError} on invalid input
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
    if (i > 0 && compareReplicaIds(ids[i - 1]!, id) >= 0) reader.fail('replica ids not sorted', at);
    ids.push(id);
  }
  const used = new Set<number>();
  const replica = (at: number): ReplicaId => {
    const i = reader.uint();
    if (i >= ids.length) reader.fail('replica index out of range', at);
    used.add(i);
    return ids[i]!;
  };
  const lists: Piece[][] = [];
  const textRuns: Array<{ list: Piece[]; i: number }> = [];
  let textLength = 0;
  for (let s = 0; s < 2; s++) {
    const n = reader.count(undefined, 3);
    const list: Piece[] = [];
    let prev: Piece | undefined;
    for (let i = 0; i < n; i++) {
      const at = reader.offset;
      const header = reader.uint(31);
      const kind = header & 3;
      const mode = (header >> 2) & 3;
      const same = (header & 16) !== 0;
      if (kind === 3) reader.fail('bad run kind', at);
      if ((same || mode === 1) && prev === undefined) reader.fail('no previous run', at);
      const r = same ? prev!.r : replica(at);
      if (!same && prev !== undefined && prev.r === r) reader.fail('non-canonical replica', at);
      const c = (prev === undefined ? 0 : prev.c + prev.n) + readInt(reader);
      const len = reader.uint(reader.limits.maxCount - 1) + 1;
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
        if (len > reader.remaining) reader.fail('run longer than the input', at);
        const values: JsonValue[] = [];
        for (let j = 0; j < len; j++) values.push(storedValue(readJson(reader)));
        v = Object.freeze(values);
      } else if (kind === 1) {
        textRuns.push({ list, i });
        textLength += len;
        v = '';
      }
      const p = mk(r, c, len, or, oc, v);
      if (originMode(p, prev) !== mode) reader.fail('non-canonical origin', at);
      list.push(p);
      prev = p;
    }
    lists.push(list);
  }
  const at = reader.offset;
  const text = reader.string();
  if (text.length !== textLength) reader.fail('text length does not match the runs', at);
  let offset = 0;
  for (const { list, i } of textRuns) {
    const p = list[i]!;
    list[i] = mk(p.r, p.c, p.n, p.or, p.oc, text.slice(offset, offset + p.n));
    offset += p.n;
  }
  if (used.size !== ids.length) reader.fail('unused replica id');
  return build(lists[0]!, lists[1]!, (message) => reader.fail(message));
}

/**
 * Binary encoding: a format-version byte (1), the replica ids (sorted), the runs of
 * the list in order then the pending runs (each a header byte, a replica index when
 * it changes, the counter as a difference from the previous run, the length, the
 * origin when it is not implied, values for non-text runs), and finally all text as
 * one UTF-8 string. Deleted runs carry no content. Equal states encode to identical
 * bytes.
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
 * Array.from(RGA.encode(doc)); // => [1, 1, 1, 97, 1, 1, 0, 1, 1, 0, 2, 104, 105]
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
 * @throws {@link DecodeError} on anything but a canonical encoding of a valid state
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
  if (run.length !== 4) throw new DecodeError('expected [replica, counter, origin, content]', { path });
  const r = jsonReplicaId(run[0], `${path}[0]`);
  const c = jsonNat(run[1], `${path}[1]`);
  let or: ReplicaId | null = null;
  let oc = 0;
  if (run[2] !== null) {
    const origin = jsonArray(run[2], `${path}[2]`, 2);
    if (origin.length !== 2) throw new DecodeError('expected [replica, counter] or null', { path: `${path}[2]` });
    or = jsonReplicaId(origin[0], `${path}[2][0]`);
    oc = jsonNat(origin[1], `${path}[2][1]`);
  }
  const content = run[3];
  if (typeof content === 'number') return mk(r, c, jsonNat(content, `${path}[3]`), or, oc, null);
  if (typeof content === 'string') {
    if (SURROGATE.test(content)) throw new DecodeError('text holds surrogates: store such characters as values', { path: `${path}[3]` });
    return mk(r, c, content.length, or, oc, content);
  }
  const values = jsonArray(content, `${path}[3]`);
  values.forEach((v, i) => {
    if (!isJsonValue(v)) throw new DecodeError('not a JSON value', { path: `${path}[3][${i}]` });
  });
  return mk(r, c, values.length, or, oc, Object.freeze(values.map((v) => storedValue(v as JsonValue))));
}

/**
 * Reads the JSON form, validating it as {@link decode} validates bytes.
 *
 * @param json - untrusted parsed JSON
 * @returns the state
 * @throws {@link DecodeError} with the JSON path of the fault
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
