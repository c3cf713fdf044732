import {
  compareReplicaIds,
  DecodeError,
  decodeVersioned,
  DEFAULT_LIMITS,
  isJsonValue,
  jsonArray,
  jsonObject,
  jsonNat,
  jsonReplicaId,
  readInt,
  readJson,
  Writer,
  writeInt,
  writeJson,
  type DecodeLimits,
  type JsonValue,
  type Reader,
  type ReplicaId,
} from '@convergent/core';
import { Ancestry } from './ancestry.js';
import { RangeDecoder, RangeEncoder, type RangeCoder } from './range-coder.js';
import { runsOf } from './pending.js';
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
  SURROGATE,
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
const VERSION = 3;
/** Contexts of the run stream (see {@link LIST_COUNT}). */
const CONTEXTS = 65;

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
  return { seq: maximal(sequence(d)), pending: runsOf(d.waiting) };
}

/**
 * Contexts of the run stream's integers (see {@link RangeCoder}): the two counts; a
 * list run's kind after the previous run's kind (`KIND + prevKind`); its source after
 * its kind and the previous kind (`SOURCE + 3 * kind + prevKind`); each later field
 * after the run's kind and source (`field + 3 * kind + source`); the fields of pending
 * runs.
 */
const LIST_COUNT = 0;
const PENDING_COUNT = 1;
const KIND = 2;
const SOURCE = 5;
const ENTRIES = 14;
const BACK = 23;
const REPLICA = 32;
const COUNTER = 41;
const LENGTH = 50;
/** The first context of pending runs' fields. */
const PENDING = 59;

/**
 * Where a list run's replica and counter come from: 0 it resumes its origin's chain
 * (origin's replica, next counter), 1 it has the previous run's replica, 2 its replica
 * is coded. A counter not implied is coded as its distance from the origin's.
 */
const sourceOf = (p: Piece, prev: Piece | undefined): number => (p.or === p.r && p.oc === p.c - 1 ? 0 : prev?.r === p.r ? 1 : 2);

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
  const all = [...seq, ...pending];
  const replicas = new Set<ReplicaId>();
  for (const p of all) {
    replicas.add(p.r);
    if (p.or !== null) replicas.add(p.or);
  }
  const ids = [...replicas].sort(compareReplicaIds);
  const number = new Map(ids.map((id, i) => [id, i]));
  const ancestry = new Ancestry();
  writeParts(
    writer,
    ids,
    all.map((p) => (typeof p.v === 'string' ? p.v : '')).join(''),
    all.flatMap((p) => (typeof p.v === 'object' && p.v !== null ? p.v : [])),
    seq.map((p, i) => {
      ancestry.place(p);
      return { kind: kindOf(p.v), source: sourceOf(p, seq[i - 1]), entries: ancestry.entries, back: ancestry.back, replica: number.get(p.r)!, counter: p.c - p.oc - 1, length: p.n };
    }),
    pending.map((p) => [kindOf(p.v), number.get(p.r)!, p.c - 1, p.n - 1, number.get(p.or!)!, p.c - 1 - p.oc]),
  );
}

/**
 * @internal A list run as the format codes it (see {@link sourceOf}); `replica`, an
 * index into the ids, and `counter` are coded only when the source needs them.
 */
export interface CodedRun {
  kind: number;
  source: number;
  entries: number;
  back: number;
  replica: number;
  counter: number;
  length: number;
}

/**
 * Codes a list run's fields, after a run of kind `prevKind`, in place: writing, it
 * writes `run`'s fields (and leaves them as they are); reading, it replaces them with
 * the fields it reads (those the source does not need are left over from before). One
 * function for both ends keeps them in step.
 */
function codeRun(coder: RangeCoder, run: CodedRun, prevKind: number, lastReplica: number, maxCount = DEFAULT_LIMITS.maxCount): CodedRun {
  const kind = (run.kind = coder.int(KIND + prevKind, run.kind, 2));
  const source = (run.source = coder.int(SOURCE + 3 * kind + prevKind, run.source, 2));
  const at = 3 * kind + source;
  run.entries = coder.int(ENTRIES + at, run.entries);
  run.back = coder.int(BACK + at, run.back);
  if (source === 2) run.replica = coder.int(REPLICA + at, run.replica, lastReplica);
  if (source > 0) run.counter = coder.int(COUNTER + at, run.counter);
  run.length = coder.int(LENGTH + at, run.length - 1, maxCount - 1) + 1;
  return run;
}

/** Codes a pending run's fields (see {@link writeParts}) as {@link codeRun} codes a list run's. */
function codePending(coder: RangeCoder, fields: readonly number[], lastReplica: number, maxCount = DEFAULT_LIMITS.maxCount): number[] {
  return [2, lastReplica, Number.MAX_SAFE_INTEGER, maxCount - 1, lastReplica, Number.MAX_SAFE_INTEGER].map((max, i) => coder.int(PENDING + i, fields[i] ?? 0, max));
}

/**
 * @internal Writes the format's body from its parts, which {@link write} derives from a
 * state (and tests choose freely). Pending runs are `[kind, replica, counter - 1, length - 1,
 * origin replica, counter - 1 - origin counter]`.
 */
export function writeParts(writer: Writer, ids: readonly string[], text: string, values: readonly JsonValue[], list: readonly CodedRun[], pending: readonly number[][]): void {
  writer.uint(ids.length);
  for (const id of ids) writer.string(id);
  // All text first, as one string, then all other values; runs take their length of them in order.
  writer.string(text);
  writer.uint(values.length);
  for (const v of values) writeJson(writer, v);
  const coder = new RangeEncoder(writer, CONTEXTS);
  coder.int(LIST_COUNT, list.length);
  coder.int(PENDING_COUNT, pending.length);
  let prevKind = 0;
  for (const run of list) prevKind = codeRun(coder, run, prevKind, ids.length - 1).kind;
  for (const fields of pending) codePending(coder, fields, ids.length - 1);
  coder.close();
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
 * RGA.length(RGA.read(new Reader(new Uint8Array([0, 0, 0, 0, 0, 0, 0])))); // => 0
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
  const text = reader.string();
  // Text elements are single UTF-16 units: characters beyond them are stored as values.
  if (SURROGATE.test(text)) reader.fail('bad text');
  const values: JsonValue[] = [];
  for (let i = reader.count(); i > 0; i--) values.push(storedValue(readJson(reader)));
  const coder = new RangeDecoder(reader, CONTEXTS);
  const used = new Set<number>();
  const replica = (i: number): ReplicaId => {
    used.add(i);
    return ids[i]!;
  };
  let textAt = 0;
  let valueAt = 0;
  const content = (kind: number, n: number): Piece['v'] => {
    if (kind === 0) return null;
    if (kind === 1) return (textAt += n) > text.length ? reader.fail('bad text') : text.slice(textAt - n, textAt);
    return (valueAt += n) > values.length ? reader.fail('bad values') : values.slice(valueAt - n, valueAt);
  };
  const maxCount = reader.limits.maxCount;
  const nRuns = coder.int(LIST_COUNT, 0, maxCount);
  const nPending = coder.int(PENDING_COUNT, 0, maxCount);
  const ancestry = new Ancestry();
  const builder = new Builder((message) => reader.fail(message));
  const f: CodedRun = { kind: 0, source: 0, entries: 0, back: 0, replica: 0, counter: 0, length: 0 };
  for (let i = 0; i < nRuns; i++) {
    const prev = builder.seq[i - 1];
    codeRun(coder, f, prev ? kindOf(prev.v) : 0, ids.length - 1, maxCount);
    if (!ancestry.up(f.entries, f.back)) reader.fail('bad origin');
    const or = ancestry.tipR;
    const oc = ancestry.tipC;
    // A run that resumes the head, or names no previous run, is rejected by the source check.
    const r = f.source === 0 ? (or ?? ids[0]!) : f.source === 1 ? (prev?.r ?? ids[0]!) : replica(f.replica);
    const p = mk(r, oc + 1 + (f.source ? f.counter : 0), f.length, or, oc, content(f.kind, f.length));
    if (f.source !== sourceOf(p, prev)) reader.fail('non-canonical run');
    if (!ancestry.append(p)) reader.fail('not in RGA order');
    builder.listed(p);
  }
  for (let i = 0; i < nPending; i++) {
    const [kind, r, c, n, or, back] = codePending(coder, [], ids.length - 1, maxCount) as [number, number, number, number, number, number];
    builder.waiting(mk(replica(r), c + 1, n + 1, replica(or), c - back, content(kind, n + 1)));
  }
  coder.close();
  if (textAt !== text.length) reader.fail('text left over');
  if (valueAt !== values.length) reader.fail('values left over');
  if (used.size !== ids.length) reader.fail('unused replica id');
  return builder.state();
}

/**
 * Binary encoding: a format-version byte (3), the replica ids (sorted), all text as
 * one UTF-8 string, all other values, then the run stream, range coded: the list's runs
 * in order, then the pending runs. A list run codes its kind, whether it resumes its
 * origin's chain or keeps the previous run's replica, where its origin is on the chain
 * of ancestors of the previous element, then only what that does not imply: the
 * replica, the counter as a distance from the origin's, and the length. Runs take
 * their length of the text or the values in order; deleted runs carry no content.
 * Equal states encode to identical bytes.
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
 * Array.from(RGA.encode(doc)); // => [3, 1, 1, 97, 2, 104, 105, 0, 68, 160, 252, 0, 0, 0]
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
 * @param limits - hard limits on the input (default `DEFAULT_LIMITS`); `maxCount` bounds
 *   the number of runs, which is what a decoded state holds in memory
 * @returns the state
 * @throws `DecodeError` on anything but a canonical encoding of a valid state
 *
 * @example
 * ```ts
 * import { asReplicaId, DEFAULT_LIMITS } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hi');
 * RGA.text(RGA.decode(RGA.encode(doc))); // => 'hi'
 * RGA.text(RGA.decode(RGA.encode(doc), { ...DEFAULT_LIMITS, maxCount: 10_000 })); // => 'hi'
 * ```
 */
export function decode(bytes: Uint8Array, limits?: DecodeLimits): RGA {
  return decodeVersioned(bytes, VERSION, read, limits);
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
  const fields = jsonObject(json, ['runs', 'pending'], '$');
  for (const key of ['runs', 'pending'] as const)
    jsonArray(fields[key], `$.${key}`).forEach((item, i) => {
      path = `$.${key}[${i}]`;
      const run = runFromJSON(item, path);
      if (key === 'pending') builder.waiting(run);
      else if (ancestry.place(run)) builder.listed(run);
      else throw new DecodeError('not in RGA order', { path });
    });
  path = '$';
  return builder.state();
}
