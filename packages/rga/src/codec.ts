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
import { Ancestry } from './ancestry.js';
import {
  asDoc,
  canJoin,
  compareRC,
  fromRuns,
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
const VERSION = 2;

const SURROGATE = /[\uD800-\uDFFF]/;

type Fail = (message: string) => never;

/**
 * Builds a state from the runs a decoder reads, checking each as it comes: within
 * limits, the list maximal, the pending runs sorted and maximal; then, in `state`, no
 * identity twice and every pending run really waiting (its origin not in the list).
 * The decoder itself walks the list through an {@link Ancestry}, so it is in RGA order.
 */
class Builder {
  readonly seq: Piece[] = [];
  readonly pending: Piece[] = [];
  // Each replica's runs as spans of counters, [start, end).
  private readonly spans = new Map<ReplicaId, { starts: number[]; ends: number[] }>();

  constructor(private readonly fail: Fail) {}

  private check(p: Piece, prev: Piece | undefined): void {
    const fail = this.fail;
    if (p.c < 1 || p.n < 1 || p.n > DEFAULT_LIMITS.maxCount || p.c + p.n - 1 > Number.MAX_SAFE_INTEGER) fail('bad run');
    if (p.or === null ? p.oc !== 0 : p.oc < 1 || p.oc >= p.c) fail('bad origin');
    if (typeof p.v === 'object' && p.v?.some(isChar)) fail('non-canonical value');
    if (prev !== undefined && canJoin(prev, p)) fail('not maximal');
    let own = this.spans.get(p.r);
    if (own === undefined) this.spans.set(p.r, (own = { starts: [], ends: [] }));
    own.starts.push(p.c);
    own.ends.push(p.c + p.n);
  }

  /** Adds the next run of the list. */
  listed(p: Piece): void {
    this.check(p, this.seq[this.seq.length - 1]);
    this.seq.push(p);
  }

  /** Adds the next pending run. */
  waiting(p: Piece): void {
    const prev = this.pending[this.pending.length - 1];
    if (p.or === null || (prev !== undefined && compareRC(prev, p) >= 0)) this.fail('bad pending run');
    this.check(p, prev);
    this.pending.push(p);
  }

  /** The state, once every run is in. */
  state(): RGA {
    const sorted = new Map<ReplicaId, Spans>();
    for (const [r, own] of this.spans) {
      // Sorted apart, spans are disjoint exactly when each starts at or after the previous end.
      const starts = Float64Array.from(own.starts).sort();
      const ends = Float64Array.from(own.ends).sort();
      for (let i = 1; i < starts.length; i++) if (starts[i]! < ends[i - 1]!) this.fail('identity twice');
      sorted.set(r, { starts, ends });
    }
    // A pending run whose origin is in the list would have been placed.
    const waiting = new Set(this.pending.map((p) => `${p.c} ${p.r}`));
    for (const p of this.pending) {
      const own = sorted.get(p.or!);
      const start = own === undefined ? -1 : spanStart(own, p.oc);
      if (start >= 0 && !waiting.has(`${start} ${p.or}`)) this.fail('bad pending run');
    }
    return fromRuns(this.seq, this.pending);
  }
}

/** One replica's runs as spans of counters, `[starts[i], ends[i])`, sorted and disjoint. */
interface Spans {
  starts: Float64Array;
  ends: Float64Array;
}

/** The start of the span holding counter `c`, or -1. */
function spanStart({ starts, ends }: Spans, c: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= c) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && c < ends[hi]! ? starts[hi]! : -1;
}

function runs(state: RGA): { seq: Piece[]; pending: readonly Piece[] } {
  const d = asDoc(state);
  return { seq: maximal(sequence(d)), pending: d.waiting };
}

/**
 * A list run's header byte, four digits in mixed radix (3, 3, 4, 7), at most 251:
 * - kind: 0 deleted, 1 text, 2 values;
 * - source: 0 the run resumes its origin's chain (origin's replica, next counter),
 *   1 it has the previous run's replica, 2 its replica follows;
 * - where its origin is on the ancestry: 0 the previous element, 1 one entry up,
 *   3 two entries up, 2 elsewhere (the place follows);
 * - length: 1 to 6, or 7 when the length minus 7 follows.
 */
function header(p: Piece, prev: Piece | undefined, entries: number, back: number): number {
  const source = p.or === p.r && p.oc === p.c - 1 ? 0 : prev?.r === p.r ? 1 : 2;
  const where = back > 0 || entries > 2 ? 2 : entries === 2 ? 3 : entries;
  return kindOf(p.v) + 3 * (source + 3 * (where + 4 * (Math.min(p.n, 7) - 1)));
}

const sourceOf = (head: number): number => Math.floor(head / 3) % 3;
const whereOf = (head: number): number => Math.floor(head / 9) % 4;

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
  const values = (p: Piece): void => {
    if (typeof p.v === 'object' && p.v !== null) for (const v of p.v) writeJson(writer, v);
  };
  const ancestry = new Ancestry();
  writer.uint(seq.length);
  let prev: Piece | undefined;
  for (const p of seq) {
    ancestry.place(p);
    const { entries, back } = ancestry;
    const head = header(p, prev, entries, back);
    writer.byte(head);
    if (whereOf(head) === 2) {
      writer.uint(entries * 2 + (back > 0 ? 1 : 0));
      if (back > 0) writer.uint(back - 1);
    }
    const source = sourceOf(head);
    if (source === 2) writer.uint(number.get(p.r)!);
    if (source > 0) writer.uint(p.c - p.oc - 1);
    if (p.n >= 7) writer.uint(p.n - 7);
    values(p);
    prev = p;
  }
  // Pending runs: kind, then replica, counter, length and origin in full.
  writer.uint(pending.length);
  for (const p of pending) {
    writer.uint(kindOf(p.v)).uint(number.get(p.r)!).uint(p.c).uint(p.n - 1).uint(number.get(p.or!)!).uint(p.c - 1 - p.oc);
    values(p);
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
  const replica = (): ReplicaId => {
    const at = reader.offset;
    const i = reader.uint();
    if (i >= ids.length) reader.fail('bad replica index', at);
    used.add(i);
    return ids[i]!;
  };
  const text = reader.string();
  // Text elements are single UTF-16 units: characters beyond them are stored as values.
  if (SURROGATE.test(text)) reader.fail('bad text');
  let offset = 0;
  const content = (kind: number, n: number, at: number): Piece['v'] => {
    if (kind === 1) {
      if ((offset += n) > text.length) reader.fail('bad text', at);
      return text.slice(offset - n, offset);
    }
    if (kind === 0) return null;
    const values: JsonValue[] = [];
    for (let j = 0; j < n; j++) values.push(storedValue(readJson(reader)));
    return values;
  };
  const ancestry = new Ancestry();
  const builder = new Builder((message) => reader.fail(message));
  for (let i = reader.count(); i > 0; i--) {
    const at = reader.offset;
    const prev = builder.seq[builder.seq.length - 1];
    const head = reader.byte();
    const where = whereOf(head);
    const up = where === 2 ? reader.uint() : where === 3 ? 4 : where * 2;
    const entries = Math.floor(up / 2);
    const back = up % 2 ? reader.uint() + 1 : 0;
    if (!ancestry.up(entries, back)) reader.fail('bad origin', at);
    const or = ancestry.tipR;
    const oc = ancestry.tipC;
    const source = sourceOf(head);
    // A run that resumes the head, or names no previous run, is rejected by the header check.
    const r = source === 0 ? (or ?? ids[0]!) : source === 1 ? (prev?.r ?? ids[0]!) : replica();
    const c = oc + 1 + (source === 0 ? 0 : reader.uint());
    const length = Math.floor(head / 36) + 1;
    const n = length < 7 ? length : reader.uint(reader.limits.maxCount - 7) + 7;
    const p = mk(r, c, n, or, oc, content(head % 3, n, at));
    if (head !== header(p, prev, entries, back)) reader.fail('non-canonical run', at);
    if (!ancestry.append(p)) reader.fail('not in RGA order', at);
    builder.listed(p);
  }
  for (let i = reader.count(undefined, 6); i > 0; i--) {
    const at = reader.offset;
    const kind = reader.uint(2);
    const r = replica();
    const c = reader.uint();
    const n = reader.uint(reader.limits.maxCount - 1) + 1;
    const or = replica();
    const oc = c - 1 - reader.uint();
    builder.waiting(mk(r, c, n, or, oc, content(kind, n, at)));
  }
  if (offset !== text.length) reader.fail('text left over');
  if (used.size !== ids.length) reader.fail('unused replica id');
  return builder.state();
}

/**
 * Binary encoding: a format-version byte (2), the replica ids (sorted), all text as
 * one UTF-8 string, the runs of the list in order, then the pending runs. A list run
 * is a header byte (kind, whether it resumes its origin's chain or keeps the previous
 * run's replica, where its origin is, a length up to 6), then only what the header
 * does not imply: the origin's place on the chain of ancestors of the previous
 * element, the replica, the counter as a distance from the origin's, a longer length,
 * and values for non-text runs (text runs take their length of the text in order).
 * Deleted runs carry no content. Equal states encode to identical bytes.
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
 * Array.from(RGA.encode(doc)); // => [2, 1, 1, 97, 2, 104, 105, 1, 43, 0, 0, 0]
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
  if (typeof content === 'string' && SURROGATE.test(content)) throw new DecodeError('bad text', { path });
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
  let path = '$';
  const builder = new Builder((message) => {
    throw new DecodeError(message, { path });
  });
  const ancestry = new Ancestry();
  for (const key of ['runs', 'pending'] as const)
    jsonArray(jsonField(json, key, '$'), `$.${key}`).forEach((item, i) => {
      path = `$.${key}[${i}]`;
      const run = runFromJSON(item, path);
      if (key === 'pending') builder.waiting(run);
      else if (ancestry.place(run)) builder.listed(run);
      else throw new DecodeError('not in RGA order', { path });
    });
  path = '$';
  return builder.state();
}
