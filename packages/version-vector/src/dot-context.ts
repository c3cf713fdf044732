import {
  countsFromJSON,
  countsToJSON,
  DecodeError,
  decodeVersioned,
  jsonArray,
  jsonObject,
  jsonNat,
  jsonReplicaId,
  readCounts,
  writeCounts,
  type Reader,
  Writer,
  type ReplicaId,
  type DecodeLimits,
} from '@convergent/core';
import * as VV from './version-vector.js';

/**
 * One event of one replica: the replica's id and its sequence number, from 1.
 * Causal CRDTs tag each write with a fresh dot from {@link DotContext}`.next`.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { Dot } from '@convergent/version-vector';
 *
 * const first: Dot = { replica: asReplicaId('a'), counter: 1 };
 * first.counter; // => 1
 * ```
 */
export interface Dot {
  /** The replica that made the event. */
  readonly replica: ReplicaId;
  /** Its sequence number at that replica: a safe integer, at least 1. */
  readonly counter: number;
}

/**
 * A set of dots (the events a replica has seen), stored compactly: a version
 * vector covering every replica's contiguous prefix `1..n`, plus a cloud of the
 * dots seen past it. Whenever a dot closes a gap the context compacts itself, so
 * the cloud only ever holds dots with a gap below them. An immutable value.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { DotContext } from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * let ctx: DotContext = DotContext.add(DotContext.bottom, { replica: a, counter: 3 });
 * ctx.cloud.get(a)?.size; // => 1
 * ctx = DotContext.fromDots([{ replica: a, counter: 1 }, { replica: a, counter: 2 }, { replica: a, counter: 3 }]);
 * ctx.cloud.size; // => 0
 * ```
 */
export interface DotContext {
  /** The compact part: every dot `(r, 1..n)` with `n` the vector's count for `r`. */
  readonly vector: VV.VersionVector;
  /**
   * Dots past the vector, per replica: every counter is at least two above the
   * vector's count for that replica (otherwise it would have been compacted); no
   * empty sets.
   */
  readonly cloud: ReadonlyMap<ReplicaId, ReadonlySet<number>>;
}

type Cloud = Map<ReplicaId, Set<number>>;

/** Compacts a mutable vector and cloud into a frozen, canonical context. */
function build(vector: Map<ReplicaId, number>, cloud: Cloud): DotContext {
  for (const [r, set] of cloud) {
    let n = vector.get(r) ?? 0;
    while (set.delete(n + 1)) n++;
    if (n > 0) vector.set(r, n);
    for (const c of set) if (c <= n) set.delete(c);
    if (set.size === 0) cloud.delete(r);
  }
  return Object.freeze({ vector: VV.of(vector), cloud });
}

/**
 * The empty context, as a stand-alone export (`DotContext.bottom`): types import
 * the context functions they use one by one, so that a bundler can leave the
 * `DotContext` namespace's codecs out.
 *
 * @example
 * ```ts
 * import { emptyContext } from '@convergent/version-vector';
 *
 * emptyContext.vector.counts.size; // => 0
 * ```
 */
export const bottom: DotContext = /* @__PURE__ */ Object.freeze({ vector: VV.bottom, cloud: new Map() });

/**
 * `DotContext.has` as a stand-alone export: whether the context holds a dot.
 *
 * @param ctx - a context
 * @param dot - a dot
 * @returns `true` when the context holds it
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { emptyContext, hasDot } from '@convergent/version-vector';
 *
 * hasDot(emptyContext, { replica: asReplicaId('a'), counter: 1 }); // => false
 * ```
 */
export function has(ctx: DotContext, dot: Dot): boolean {
  return dot.counter <= VV.get(ctx.vector, dot.replica) || (ctx.cloud.get(dot.replica)?.has(dot.counter) ?? false);
}

function valid(dot: Dot): Dot {
  if (!Number.isSafeInteger(dot.counter) || dot.counter < 1) throw new RangeError('dot counter must be a safe integer >= 1');
  return dot;
}

function addAll(vector: Map<ReplicaId, number>, cloud: Cloud, dots: Iterable<Dot>): DotContext {
  for (const dot of dots) {
    const { replica, counter } = valid(dot);
    let set = cloud.get(replica);
    if (!set) cloud.set(replica, (set = new Set()));
    set.add(counter);
  }
  return build(vector, cloud);
}

function copyCloud(ctx: DotContext): Cloud {
  return new Map([...ctx.cloud].map(([r, set]) => [r, new Set(set)]));
}

function add(ctx: DotContext, dot: Dot): DotContext {
  return has(ctx, valid(dot)) ? ctx : addAll(new Map(ctx.vector.counts), copyCloud(ctx), [dot]);
}

/**
 * `DotContext.fromDots` as a stand-alone export: the context holding exactly
 * the given dots, compacted.
 *
 * @param dots - any dots
 * @returns the context
 * @throws RangeError unless every counter is a safe integer of at least 1
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { contextFromDots, hasDot } from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * hasDot(contextFromDots([{ replica: a, counter: 1 }]), { replica: a, counter: 1 }); // => true
 * ```
 */
export function fromDots(dots: Iterable<Dot>): DotContext {
  return addAll(new Map(), new Map(), dots);
}

/**
 * `DotContext.upTo` as a stand-alone export: the context holding every dot of
 * `dot.replica` from 1 to `dot.counter`.
 *
 * @param dot - the replica's latest dot
 * @returns the context `{ vector: { [replica]: counter } }`
 * @throws RangeError unless the counter is a safe integer of at least 1
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { contextUpTo, hasDot } from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * hasDot(contextUpTo({ replica: a, counter: 3 }), { replica: a, counter: 2 }); // => true
 * ```
 */
export function upTo(dot: Dot): DotContext {
  return build(new Map([[valid(dot).replica, dot.counter]]), new Map());
}

/**
 * `DotContext.next` as a stand-alone export: the next dot for `replica`.
 *
 * @param ctx - the replica's context
 * @param replica - the replica about to make an event
 * @returns a fresh dot
 * @throws RangeError if the counter would pass `Number.MAX_SAFE_INTEGER`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { emptyContext, nextDot } from '@convergent/version-vector';
 *
 * nextDot(emptyContext, asReplicaId('a')).counter; // => 1
 * ```
 */
export function next(ctx: DotContext, replica: ReplicaId): Dot {
  let max = VV.get(ctx.vector, replica);
  for (const c of ctx.cloud.get(replica) ?? []) if (c > max) max = c;
  if (max >= Number.MAX_SAFE_INTEGER) throw new RangeError('dot counter past Number.MAX_SAFE_INTEGER');
  return Object.freeze({ replica, counter: max + 1 });
}

/**
 * `DotContext.leq` as a stand-alone export: whether every dot of `a` is in `b`.
 *
 * @param a - one context
 * @param b - another
 * @returns `true` iff `b` holds every dot of `a`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { contextFromDots, contextLeq, emptyContext } from '@convergent/version-vector';
 *
 * contextLeq(emptyContext, contextFromDots([{ replica: asReplicaId('a'), counter: 1 }])); // => true
 * ```
 */
export function leq(a: DotContext, b: DotContext): boolean {
  if (!VV.leq(a.vector, b.vector)) return false;
  for (const [replica, set] of a.cloud) for (const counter of set) if (!has(b, { replica, counter })) return false;
  return true;
}

/**
 * `DotContext.merge` as a stand-alone export: the union of two contexts.
 *
 * @param a - one context
 * @param b - another
 * @returns the least upper bound
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { contextFromDots, hasDot, mergeContexts } from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * const both = mergeContexts(contextFromDots([{ replica: a, counter: 1 }]), contextFromDots([{ replica: a, counter: 3 }]));
 * hasDot(both, { replica: a, counter: 3 }); // => true
 * ```
 */
export function merge(a: DotContext, b: DotContext): DotContext {
  if (leq(b, a)) return a;
  if (leq(a, b)) return b;
  const cloud = copyCloud(a);
  for (const [r, set] of b.cloud) {
    const mine = cloud.get(r);
    if (mine) for (const c of set) mine.add(c);
    else cloud.set(r, new Set(set));
  }
  return build(new Map(VV.merge(a.vector, b.vector).counts), cloud);
}

/**
 * `DotContext.equals` as a stand-alone export: whether two contexts hold the
 * same dots.
 *
 * @param a - one context
 * @param b - another
 * @returns `true` when equal
 *
 * @example
 * ```ts
 * import { contextEquals, emptyContext } from '@convergent/version-vector';
 *
 * contextEquals(emptyContext, emptyContext); // => true
 * ```
 */
export function equals(a: DotContext, b: DotContext): boolean {
  return leq(a, b) && leq(b, a);
}

const sortedCloud = (ctx: DotContext): Array<[ReplicaId, number[]]> =>
  [...ctx.cloud]
    .sort(([p], [q]) => (p < q ? -1 : 1))
    .map(([r, set]) => [r, [...set].sort((x, y) => x - y)]);

function write(writer: Writer, ctx: DotContext): void {
  writeCounts(writer, ctx.vector.counts);
  const cloud = sortedCloud(ctx);
  writer.uint(cloud.length);
  for (const [r, counters] of cloud) {
    writer.string(r).uint(counters.length);
    let previous = VV.get(ctx.vector, r);
    for (const c of counters) {
      writer.uint(c - previous - 1);
      previous = c;
    }
  }
}

function read(reader: Reader): DotContext {
  const vector = readCounts(reader);
  const cloud: Cloud = new Map();
  const replicas = reader.count(undefined, 3);
  let last: string | undefined;
  for (let i = 0; i < replicas; i++) {
    const at = reader.offset;
    const r = reader.replicaId();
    if (last !== undefined && !(last < r)) reader.fail('ids out of order', at);
    last = r;
    const n = reader.count(undefined, 1);
    if (n === 0) reader.fail('empty cloud entry', at);
    const set = new Set<number>();
    let previous = vector.get(r) ?? 0;
    for (let k = 0; k < n; k++) {
      const gapAt = reader.offset;
      const gap = reader.uint();
      // A zero first gap would be the dot right after the vector: not compacted.
      if (k === 0 && gap === 0) reader.fail('cloud not compacted', gapAt);
      previous += gap + 1;
      if (!Number.isSafeInteger(previous)) reader.fail('counter too large', gapAt);
      set.add(previous);
    }
    cloud.set(r, set);
  }
  // The vector and the cloud are each bounded; the replicas they name together must be too.
  if (new Set([...vector.keys(), ...cloud.keys()]).size > reader.limits.maxCount) reader.fail('too many replicas');
  return Object.freeze({ vector: VV.of(vector), cloud });
}

/** Format version of {@link encodeDotContext}. */
const VERSION = 1;

/**
 * Binary encoding of a {@link DotContext}: a format-version byte (1), then the body
 * `DotContext.write` writes. Equal contexts encode to identical bytes.
 *
 * A function of the module rather than a member of the `DotContext` object: a
 * namespace object is kept whole by bundlers, and this pair would put core's byte
 * writer and reader into every OR-Set and MV-Register bundle (about 0.8 kB of 2.5).
 *
 * @param ctx - the context
 * @returns its bytes
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { DotContext, encodeDotContext } from '@convergent/version-vector';
 *
 * Array.from(encodeDotContext(DotContext.fromDots([{ replica: asReplicaId('a'), counter: 3 }]))); // => [1, 0, 1, 1, 97, 1, 2]
 * ```
 */
export function encodeDotContext(ctx: DotContext): Uint8Array {
  const writer = new Writer().byte(VERSION);
  write(writer, ctx);
  return writer.finish();
}

/**
 * Decodes untrusted bytes made by {@link encodeDotContext}, accepting only the
 * canonical form (bounded counts, ids valid and ascending, cloud compacted, no empty
 * entries, no trailing bytes).
 *
 * @param bytes - the bytes
 * @param limits - hard limits (default `DEFAULT_LIMITS` of `@convergent/core`);
 * `maxCount` bounds the replicas of the vector and the cloud together
 * @returns the context
 * @throws DecodeError on anything else
 *
 * @example
 * ```ts
 * import { DotContext, decodeDotContext } from '@convergent/version-vector';
 *
 * DotContext.toJSON(decodeDotContext(new Uint8Array([1, 1, 1, 97, 2, 0]))); // => { vector: [['a', 2]], cloud: [] }
 * ```
 */
export function decodeDotContext(bytes: Uint8Array, limits?: DecodeLimits): DotContext {
  return decodeVersioned(bytes, VERSION, read, limits);
}

function toJSON(ctx: DotContext): DotContextJSON {
  return { vector: countsToJSON(ctx.vector.counts), cloud: sortedCloud(ctx) };
}

function fromJSON(json: unknown, path = '$'): DotContext {
  const fields = jsonObject(json, ['vector', 'cloud'], path);
  const vector = countsFromJSON(fields.vector, `${path}.vector`);
  const cloud: Cloud = new Map();
  let last: string | undefined;
  jsonArray(fields.cloud, `${path}.cloud`).forEach((entry, i) => {
    const at = `${path}.cloud[${i}]`;
    const pair = jsonArray(entry, at, 2);
    const r = jsonReplicaId(pair[0], at);
    if (last !== undefined && !(last < r)) throw new DecodeError('ids out of order', { path: at });
    last = r;
    // Strictly ascending and at least two past the vector: the canonical form.
    let min = (vector.get(r) ?? 0) + 2;
    const set = new Set(
      jsonArray(pair[1], at).map((value) => {
        const c = jsonNat(value, at);
        if (c < min) throw new DecodeError('cloud not canonical', { path: at });
        min = c + 1;
        return c;
      }),
    );
    if (set.size === 0) throw new DecodeError('empty cloud entry', { path: at });
    cloud.set(r, set);
  });
  return Object.freeze({ vector: VV.of(vector), cloud });
}

/**
 * The JSON form of a {@link DotContext}.
 *
 * @example
 * ```ts
 * import { DotContext, type DotContextJSON } from '@convergent/version-vector';
 *
 * const json: DotContextJSON = { vector: [['a', 2]], cloud: [['b', [3, 5]]] };
 * DotContext.toJSON(DotContext.fromJSON(json)); // => json
 * ```
 */
export interface DotContextJSON {
  /** The compact part: `[replicaId, count]` pairs, ids ascending, counts positive. */
  vector: Array<[string, number]>;
  /**
   * The cloud: `[replicaId, counters]` pairs, ids ascending; counters ascending, the
   * first at least two past the vector's count for that replica.
   */
  cloud: Array<[string, number[]]>;
}

/**
 * The functions on {@link DotContext}s. The object is itself the lattice
 * (`bottom`, `merge`, `leq`, `equals`), so it can be handed to the law kit or to
 * `mergeAll` as it is. A dot context is not a delta type: `add` returns the new
 * full context. Its binary codec is {@link encodeDotContext} / {@link decodeDotContext}
 * (module functions, so that bundles that only merge contexts do not carry it).
 *
 * @namespace
 *
 * @example
 * ```ts
 * import { asReplicaId, mergeAll } from '@convergent/core';
 * import { DotContext } from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * const ctx = mergeAll(DotContext, [DotContext.fromDots([{ replica: a, counter: 2 }]), DotContext.fromDots([{ replica: a, counter: 1 }])]);
 * DotContext.toJSON(ctx); // => { vector: [['a', 2]], cloud: [] }
 * ```
 */
export const DotContext = /* @__PURE__ */ Object.freeze({
  /**
   * The empty context: a replica that has seen nothing.
   *
   * @example
   * ```ts
   * import { DotContext } from '@convergent/version-vector';
   *
   * DotContext.toJSON(DotContext.bottom); // => { vector: [], cloud: [] }
   * ```
   */
  bottom,
  /**
   * Whether the context holds a dot.
   *
   * @param ctx - a context
   * @param dot - a dot
   * @returns `true` when the dot is in the vector's prefix or in the cloud
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * const ctx = DotContext.fromDots([{ replica: asReplicaId('a'), counter: 3 }]);
   * DotContext.has(ctx, { replica: asReplicaId('a'), counter: 3 }); // => true
   * DotContext.has(ctx, { replica: asReplicaId('a'), counter: 1 }); // => false
   * ```
   */
  has,
  /**
   * The context with one more dot, compacted. Returns the new full context.
   *
   * @param ctx - a context
   * @param dot - the dot to add
   * @returns the new context (`ctx` itself if it already held the dot)
   * @throws RangeError unless the counter is a safe integer of at least 1
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * const a = asReplicaId('a');
   * const gap = DotContext.add(DotContext.bottom, { replica: a, counter: 2 });
   * DotContext.toJSON(gap); // => { vector: [], cloud: [['a', [2]]] }
   * DotContext.toJSON(DotContext.add(gap, { replica: a, counter: 1 })); // => { vector: [['a', 2]], cloud: [] }
   * ```
   */
  add,
  /**
   * A context holding exactly the given dots, compacted.
   *
   * @param dots - any dots, in any order, repeats allowed
   * @returns the context
   * @throws RangeError unless every counter is a safe integer of at least 1
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * const b = asReplicaId('b');
   * DotContext.toJSON(DotContext.fromDots([{ replica: b, counter: 4 }, { replica: b, counter: 1 }])); // => { vector: [['b', 1]], cloud: [['b', [4]]] }
   * ```
   */
  fromDots,
  /**
   * The context holding every dot of `dot.replica` from 1 to `dot.counter`: all a
   * replica has done by the time it makes the event `dot`. A delta that carries it
   * says that the replica's earlier events are superseded, as they are at the replica.
   *
   * @param dot - the replica's latest dot
   * @returns the context `{ vector: { [replica]: counter } }`
   * @throws RangeError unless the counter is a safe integer of at least 1
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * DotContext.toJSON(DotContext.upTo({ replica: asReplicaId('a'), counter: 3 })); // => { vector: [['a', 3]], cloud: [] }
   * ```
   */
  upTo,
  /**
   * The next dot for `replica`: its counter is the largest counter of `replica`
   * the context holds, plus one. A replica tags each new event with
   * `next(ctx, self)`.
   *
   * @param ctx - the replica's context
   * @param replica - the replica about to make an event
   * @returns a fresh dot
   * @throws RangeError if the counter would pass `Number.MAX_SAFE_INTEGER`
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * DotContext.next(DotContext.bottom, asReplicaId('a')); // => { replica: 'a', counter: 1 }
   * ```
   */
  next,
  /**
   * Union of two contexts, compacted.
   *
   * @param a - one context
   * @param b - another
   * @returns the least upper bound
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * const a = asReplicaId('a');
   * const one = DotContext.fromDots([{ replica: a, counter: 1 }]);
   * const three = DotContext.fromDots([{ replica: a, counter: 3 }]);
   * DotContext.toJSON(DotContext.merge(one, three)); // => { vector: [['a', 1]], cloud: [['a', [3]]] }
   * ```
   */
  merge,
  /**
   * Whether every dot of `a` is in `b`.
   *
   * @param a - one context
   * @param b - another
   * @returns `true` iff `merge(a, b)` equals `b`
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * const ctx = DotContext.fromDots([{ replica: asReplicaId('a'), counter: 1 }]);
   * DotContext.leq(DotContext.bottom, ctx); // => true
   * DotContext.leq(ctx, DotContext.bottom); // => false
   * ```
   */
  leq,
  /**
   * Whether two contexts hold the same dots.
   *
   * @param a - one context
   * @param b - another
   * @returns `true` when equal
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * const a = asReplicaId('a');
   * const ctx = DotContext.fromDots([{ replica: a, counter: 1 }]);
   * DotContext.equals(ctx, DotContext.add(DotContext.bottom, { replica: a, counter: 1 })); // => true
   * ```
   */
  equals,
  /**
   * Writes a context's body into a writer, for types that embed one in their own
   * format: the vector (as `writeCounts`), then the number of cloud replicas and,
   * per replica in ascending id order, its id, the number of counters and each
   * counter as its gap above the previous one minus one (the first measured from
   * the vector's count).
   *
   * @param writer - where to write
   * @param ctx - the context
   *
   * @example
   * ```ts
   * import { asReplicaId, Writer } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * const w = new Writer();
   * DotContext.write(w, DotContext.fromDots([{ replica: asReplicaId('a'), counter: 3 }]));
   * Array.from(w.finish()); // => [0, 1, 1, 97, 1, 2]
   * ```
   */
  write,
  /**
   * Reads what `write` wrote, accepting only the canonical form (ids ascending,
   * cloud compacted, no empty entries) naming at most `reader.limits.maxCount`
   * replicas.
   *
   * @param reader - where to read
   * @returns the context
   * @throws DecodeError on anything else
   *
   * @example
   * ```ts
   * import { Reader } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * DotContext.toJSON(DotContext.read(new Reader(new Uint8Array([0, 1, 1, 97, 1, 2])))); // => { vector: [], cloud: [['a', [3]]] }
   * ```
   */
  read,
  /**
   * The context as JSON ({@link DotContextJSON}).
   *
   * @param ctx - the context
   * @returns a JSON-compatible value
   *
   * @example
   * ```ts
   * import { DotContext } from '@convergent/version-vector';
   *
   * DotContext.toJSON(DotContext.bottom); // => { vector: [], cloud: [] }
   * ```
   */
  toJSON,
  /**
   * Reads untrusted parsed JSON made by `toJSON`, accepting only the canonical form.
   *
   * @param json - the parsed JSON
   * @param path - the JSON path of `json`, for error messages (default `$`)
   * @returns the context
   * @throws DecodeError on anything else, with the JSON path of the fault
   *
   * @example
   * ```ts
   * import { asReplicaId } from '@convergent/core';
   * import { DotContext } from '@convergent/version-vector';
   *
   * const ctx = DotContext.fromJSON({ vector: [['a', 2]], cloud: [] });
   * DotContext.has(ctx, { replica: asReplicaId('a'), counter: 2 }); // => true
   * ```
   */
  fromJSON,
});
