import {
  ConvergentError,
  canonicalKey,
  fromCanonicalKey,
  asReplicaId,
  InvalidValueError,
  type JsonValue,
  type ReplicaId,
} from '@convergent/core';
import { type ChangeLog, textOf } from './changes.js';
import { Ids, tag } from './ids.js';
import { NO_PENDING, type Pending, PendingWork, pendingOf, runsOf } from './pending.js';

declare const rgaBrand: unique symbol;

/**
 * A replicated growable array (Roh et al. 2011): a list of {@link JsonValue}
 * elements, or text when every element is a one-character string. An immutable
 * value: every function returns a new state and leaves its arguments unchanged.
 *
 * Every element has an identity ({@link ElementId}) and remembers the element it was
 * inserted after (its origin). Concurrent inserts after the same origin are ordered
 * by identity, newest first; a run typed forwards by one replica stays together.
 * Deleted elements keep only their identity and origin (a tombstone), never their
 * content.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const alice = asReplicaId('alice');
 * let doc: RGA.RGA = RGA.bottom;
 * doc = RGA.merge(doc, RGA.insertText(doc, alice, 0, 'hello'));
 * RGA.text(doc); // => 'hello'
 * ```
 */
export interface RGA {
  /** Type brand: states are built only by this module's functions. */
  readonly [rgaBrand]: true;
}

/**
 * The identity of one element: the replica that inserted it and that replica's
 * counter at the time (a Lamport clock, so an element's counter is greater than the
 * counter of every element its replica had seen). Stable for the life of the
 * document: use it to keep a caret or selection attached to text while remote edits
 * arrive ({@link idAt}, {@link indexOf}).
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hi');
 * const id: RGA.ElementId = RGA.idAt(doc, 1);
 * [id.replica, id.counter]; // => ['a', 2]
 * ```
 */
export interface ElementId {
  /** The replica that inserted the element. */
  readonly replica: ReplicaId;
  /** Its counter, a positive integer. */
  readonly counter: number;
}

// ---------------------------------------------------------------------------
// Internal representation
//
// A piece is a run of `n` elements inserted by replica `r` with consecutive counters
// `c .. c+n-1`, each element's origin being the previous one; the first element's
// origin is (`or`, `oc`), `or === null` meaning the head of the list. Content `v` is a
// string (one element per UTF-16 unit, no surrogates: text), an array of other JSON
// values, or null for deleted elements (tombstones keep no content).
//
// The sequence is a two-level structure: a copied-on-write array of immutable chunks,
// each holding up to MAX_PIECES pieces with its visible length and counter range. A
// merge copies the top array once and each chunk it touches once, so old states share
// everything they did not change.

/** @internal */
export interface Piece {
  readonly r: ReplicaId;
  readonly c: number;
  readonly n: number;
  readonly or: ReplicaId | null;
  readonly oc: number;
  readonly v: string | readonly JsonValue[] | null;
}

/** @internal */
export interface Chunk {
  pieces: Piece[];
  vis: number;
  /** Visible UTF-16 code units (see {@link widthOf}). */
  u16: number;
  lo: number;
  hi: number;
  own: number;
  /** A serial that copies keep (a split gives the second half a new one): how {@link Ids} finds the chunk again. */
  cid: number;
}

/** @internal What an {@link RGA} state is: functions return a Doc as an RGA without a cast. */
export interface Doc extends RGA {
  readonly chunks: readonly Chunk[];
  /** Visible elements. */
  readonly vis: number;
  /** Visible UTF-16 code units. */
  readonly u16: number;
  /** Largest counter in the sequence (0 if none). */
  readonly seqMax: number;
  /** Largest counter anywhere, pending included (0 if none): the next insert counts from it. */
  readonly clock: number;
  /** Elements whose origin has not arrived: sorted by (replica, counter), maximal runs. */
  readonly waiting: Pending;
  /** Pieces in the sequence. */
  readonly pieceCount: number;
  /** A cursor cache (not part of the value): a chunk index and its first visible index. */
  cacheCi: number;
  cacheStart: number;
  /** The identities in the sequence, when a search has needed them (a cache, not part of the value). */
  ids: Ids | undefined;
}

const MAX_PIECES = 64;

/** @internal */
export function mk(r: ReplicaId, c: number, n: number, or: ReplicaId | null, oc: number, v: string | readonly JsonValue[] | null): Piece {
  return { r, c, n, or, oc, v };
}

/** @internal */
export function makeDoc(
  chunks: readonly Chunk[],
  vis: number,
  u16: number,
  seqMax: number,
  clock: number,
  pending: Pending,
  pieceCount: number,
  ci = 0,
  start = 0,
  ids?: Ids,
): Doc {
  // Not frozen: the state is opaque (its fields are not part of the type), and freezing
  // every state cost a tenth of the time of an edit.
  return { chunks, vis, u16, seqMax, clock, waiting: pending, pieceCount, cacheCi: ci, cacheStart: start, ids } as Doc;
}

/** @internal */
export const asDoc = (state: RGA): Doc => state as Doc;

/** @internal 0 tombstone, 1 text, 2 other JSON values */
export const kindOf = (v: Piece['v']): number => (v === null ? 0 : typeof v === 'string' ? 1 : 2);

const visOf = (p: Piece): number => (p.v === null ? 0 : p.n);

/** @internal UTF-16 units of a value: a string's length; any other JSON value counts one. */
export const widthOf = (v: JsonValue): number => (typeof v === 'string' ? v.length : 1);

/** UTF-16 units of elements `[from, to)` of a piece (0 for a tombstone). */
function u16Of(p: Piece, from = 0, to = p.n): number {
  const v = p.v;
  if (v === null) return 0;
  if (typeof v === 'string') return to - from;
  let w = 0;
  for (let i = from; i < to; i++) w += widthOf(v[i]!);
  return w;
}

/** @internal Whether `(c1, r1)` orders after `(c2, r2)`: higher counter, then higher replica id. */
export const greater = (c1: number, r1: string, c2: number, r2: string): boolean => c1 > c2 || (c1 === c2 && r1 > r2);

/** @internal Elements `[from, to)` of a piece. */
export function slice(p: Piece, from: number, to: number): Piece {
  if (from === 0 && to === p.n) return p;
  const v = p.v;
  return mk(
    p.r,
    p.c + from,
    to - from,
    from === 0 ? p.or : p.r,
    from === 0 ? p.oc : p.c + from - 1,
    v === null ? null : typeof v === 'string' ? v.slice(from, to) : v.slice(from, to),
  );
}

const tombOf = (p: Piece): Piece => mk(p.r, p.c, p.n, p.or, p.oc, null);

/** @internal Whether `b` continues `a`'s chain with the same kind of content. */
export function canJoin(a: Piece, b: Piece): boolean {
  return a.r === b.r && b.c === a.c + a.n && b.or === a.r && b.oc === b.c - 1 && kindOf(a.v) === kindOf(b.v);
}

/** @internal */
export function join(a: Piece, b: Piece): Piece {
  const v =
    a.v === null ? null : typeof a.v === 'string' ? a.v + (b.v as string) : [...a.v, ...(b.v as readonly JsonValue[])];
  return mk(a.r, a.c, a.n + b.n, a.or, a.oc, v);
}

/** @internal Pieces in a list, coalesced into maximal runs (the canonical form). */
export function maximal(pieces: Iterable<Piece>): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last !== undefined && canJoin(last, p)) out[out.length - 1] = join(last, p);
    else out.push(p);
  }
  return out;
}

/** @internal The sequence's pieces in order. */
export function* sequence(doc: Doc): Generator<Piece> {
  for (const ch of doc.chunks) yield* ch.pieces;
}

/** The largest counter in `pieces`, or `max` if larger. */
function maxCounter(pieces: Iterable<Piece>, max = 0): number {
  for (const p of pieces) if (p.c + p.n - 1 > max) max = p.c + p.n - 1;
  return max;
}

let chunkSerial = 0;

function chunkOf(pieces: Piece[], own: number, cid = ++chunkSerial): Chunk {
  let vis = 0;
  let u16 = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of pieces) {
    vis += visOf(p);
    u16 += u16Of(p);
    if (p.c < lo) lo = p.c;
    if (p.c + p.n - 1 > hi) hi = p.c + p.n - 1;
  }
  return { pieces, vis, u16, lo, hi, own, cid };
}

/** @internal Orders pieces by (replica, counter). */
export const compareRC = (a: Piece, b: Piece): number => (a.r < b.r ? -1 : a.r > b.r ? 1 : a.c - b.c);

/**
 * @internal Normalizes pending pieces: sorted by (replica, counter), overlaps removed
 * (a tombstone wins over content), maximal runs. The pieces must come from at most two
 * sets that have no overlaps of their own (two states' pieces), as all callers' do: an
 * element covered three times would need a piece to reach back before the last one.
 */
export function normalizePending(pieces: Piece[]): Piece[] {
  if (pieces.length <= 1) return pieces;
  pieces.sort(compareRC);
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last === undefined || last.r !== p.r || p.c >= last.c + last.n) {
      out.push(p);
      continue;
    }
    // p overlaps elements [from, to) of last.
    const from = p.c - last.c;
    const to = Math.min(last.n, from + p.n);
    if (p.v === null && last.v !== null) {
      out.pop();
      if (from > 0) out.push(slice(last, 0, from));
      out.push(tombOf(slice(last, from, to)));
      if (to < last.n) out.push(slice(last, to, last.n));
    }
    if (from + p.n > to) out.push(slice(p, to - from, p.n));
  }
  return maximal(out);
}

let token = 0;
// Where the last lookup succeeded: a starting point for the next search. A pure
// heuristic (any value gives the same results), set by the mutators for the merge
// that usually follows them.
let searchHint = 0;

/** A merge in progress: owns a copy of the top array and the chunks it touched. */
class Work {
  readonly chunks: Chunk[];
  vis: number;
  u16: number;
  seqMax: number;
  pieceCount: number;
  cacheCi: number;
  cacheStart: number;
  /** Chunk index of the last piece `findPiece` found (where the next search starts). */
  hint = searchHint;
  /** Its piece index. */
  fpi = 0;
  readonly tok = ++token;
  /** The pending runs this merge may release, and those it released and has yet to place. */
  declare pend: PendingWork | undefined;
  readonly released: Piece[] = [];
  declare ids: Ids | undefined;
  /** Where to report visible changes, when the caller wants them. */
  declare log: ChangeLog | undefined;
  private declare readonly doc: Doc;

  constructor(doc: Doc) {
    this.doc = doc;
    this.ids = doc.ids;
    this.chunks = doc.chunks.slice();
    this.vis = doc.vis;
    this.u16 = doc.u16;
    this.seqMax = doc.seqMax;
    this.pieceCount = doc.pieceCount;
    this.cacheCi = doc.cacheCi;
    this.cacheStart = doc.cacheStart;
    if (this.cacheCi >= this.chunks.length) this.cacheCi = this.cacheStart = 0;
  }

  own(ci: number): Chunk {
    const ch = this.chunks[ci]!;
    if (ch.own === this.tok) return ch;
    const copy: Chunk = { pieces: ch.pieces.slice(), vis: ch.vis, u16: ch.u16, lo: ch.lo, hi: ch.hi, own: this.tok, cid: ch.cid };
    this.chunks[ci] = copy;
    return copy;
  }

  private scan(ci: number, r: ReplicaId, c: number): Piece | undefined {
    const ch = this.chunks[ci]!;
    if (c < ch.lo || c > ch.hi) return undefined;
    const ps = ch.pieces;
    for (let pi = 0; pi < ps.length; pi++) {
      const p = ps[pi]!;
      if (p.r === r && c >= p.c && c < p.c + p.n) {
        this.hint = ci;
        this.fpi = pi;
        return p;
      }
    }
    return undefined;
  }

  /** The piece holding element (r, c), at (`hint`, `fpi`); undefined if there is none. */
  findPiece(r: ReplicaId, c: number): Piece | undefined {
    const n = this.chunks.length;
    if (c > this.seqMax) return undefined; // also when there are no chunks (seqMax 0)
    const h = this.hint < n ? this.hint : n - 1;
    if (this.ids !== undefined) {
      const t = this.ids.tagOf(r, c);
      if (t === 0) return undefined;
      // The chunks with the tag the index names, outwards from the hint (a merge's pieces
      // come in list order, so it is usually the hint or next to it); if the tag is stale, search.
      const chunks = this.chunks;
      for (let lo = h, hi = h + 1; lo >= 0 || hi < n; lo--, hi++) {
        const p = (lo >= 0 && tag(chunks[lo]!.cid) === t && this.scan(lo, r, c)) || (hi < n && tag(chunks[hi]!.cid) === t && this.scan(hi, r, c));
        if (p) return p;
      }
    }
    for (let lo = h, hi = h + 1, far = 0; lo >= 0 || hi < n; lo--, hi++) {
      const p = (lo >= 0 && this.scan(lo, r, c)) || (hi < n && this.scan(hi, r, c));
      if (p) return p;
      // Far from the hint: index the identities (once; the state keeps them) rather than read
      // every chunk. Not for an empty state (bottom), which every document starts from.
      if (++far === 8 && this.ids === undefined) {
        this.ids = new Ids();
        if (this.doc.chunks.length > 0) this.doc.ids = this.ids;
        for (const ch of this.chunks) for (const q of ch.pieces) this.ids.add(q.r, q.c, q.n, ch.cid);
        if (this.ids.tagOf(r, c) === 0) return undefined;
      }
    }
    return undefined;
  }

  private changed(ci: number, ch: Chunk, delta: number, delta16: number, item: Piece | null): void {
    ch.vis += delta;
    this.vis += delta;
    ch.u16 += delta16;
    this.u16 += delta16;
    if (ci < this.cacheCi) this.cacheStart += delta;
    if (item !== null) {
      const last = item.c + item.n - 1;
      if (item.c < ch.lo) ch.lo = item.c;
      if (last > ch.hi) ch.hi = last;
      if (last > this.seqMax) this.seqMax = last;
    }
    const ps = ch.pieces;
    if (ps.length > MAX_PIECES) {
      // Split the chunk in two.
      const half = ps.length >> 1;
      const second = chunkOf(ps.slice(half), this.tok);
      this.chunks.splice(ci, 1, chunkOf(ps.slice(0, half), this.tok, ch.cid), second);
      if (this.ids !== undefined) for (const p of second.pieces) this.ids.add(p.r, p.c, p.n, second.cid);
      if (ci < this.cacheCi) this.cacheCi++;
      if (this.hint > ci) this.hint++;
    }
  }

  /** The UTF-16 offset of piece (ci, pi). */
  private offsetAt(ci: number, pi: number): number {
    let off = 0;
    for (let i = 0; i < ci; i++) off += this.chunks[i]!.u16;
    const ps = this.chunks[ci]!.pieces;
    for (let i = 0; i < pi; i++) off += u16Of(ps[i]!);
    return off;
  }

  /** Logs a visible change at `skip` units into piece (ci, pi); stops logging once the log gives up (offsets cost a pass over the chunks). */
  private record(ci: number, pi: number, skip: number, del: number, ins: string): void {
    const log = this.log!;
    log.record(this.offsetAt(ci, pi) + skip, del, ins);
    if (log.overflowed) this.log = undefined;
  }

  /** Integrates a piece whose ids are all new after its origin: in piece (ci, pi), or the head when `item.or` is null. */
  after(ci: number, pi: number, item: Piece): void {
    if (item.or === null) ci = pi = 0;
    else {
      const p = this.chunks[ci]!.pieces[pi]!;
      const k = item.oc - p.c;
      if (k < p.n - 1 && greater(item.c, item.r, item.oc + 1, p.r)) {
        // The item goes between elements k and k+1 of p.
        if (this.log !== undefined && item.v !== null) this.record(ci, pi, u16Of(p, 0, k + 1), 0, textOf(item.v));
        const ch = this.own(ci);
        ch.pieces.splice(pi, 1, slice(p, 0, k + 1), item, slice(p, k + 1, p.n));
        this.pieceCount += 2;
        this.placed(item, ch.cid);
        this.changed(ci, ch, visOf(item), u16Of(item), item);
        return;
      }
      pi++;
    }
    // RGA: skip everything ordered after the item (newer siblings and their subtrees).
    const chunks = this.chunks;
    while (ci < chunks.length) {
      const ps = chunks[ci]!.pieces;
      if (pi >= ps.length) {
        if (ci + 1 < chunks.length) {
          ci++;
          pi = 0;
          continue;
        }
        break;
      }
      const q = ps[pi]!;
      if (!greater(q.c, q.r, item.c, item.r)) break;
      pi++;
    }
    // An empty sequence gets an empty chunk of this merge's own to insert into; at the
    // start of a chunk, the item goes at the end of the one before (to join its last run).
    if (chunks.length === 0) chunks.push(chunkOf([], this.tok));
    else if (pi === 0 && ci > 0) {
      ci--;
      pi = chunks[ci]!.pieces.length;
    }
    if (this.log !== undefined && item.v !== null) this.record(ci, pi, 0, 0, textOf(item.v));
    const ch = this.own(ci);
    const ps = ch.pieces;
    const left = pi > 0 ? ps[pi - 1]! : undefined;
    if (left !== undefined && canJoin(left, item)) ps[pi - 1] = join(left, item);
    else {
      ps.splice(pi, 0, item);
      this.pieceCount++;
    }
    this.placed(item, ch.cid);
    this.changed(ci, ch, visOf(item), u16Of(item), item);
  }

  /** As `item` is placed in chunk `cid`: its identities are there, and the pending runs that waited for one of its elements can go. */
  private placed(item: Piece, cid: number): void {
    this.ids?.add(item.r, item.c, item.n, cid);
    if (this.pend !== undefined) this.released.push(...this.pend.release(item.r, item.c, item.c + item.n));
  }

  /** Deletes elements `[from, to)` of piece (ci, pi). */
  tombstone(ci: number, pi: number, from: number, to: number): void {
    const ch = this.own(ci);
    const ps = ch.pieces;
    const p = ps[pi]!;
    if (p.v === null) return;
    if (this.log !== undefined) this.record(ci, pi, u16Of(p, 0, from), u16Of(p, from, to), '');
    let mid = tombOf(slice(p, from, to));
    let start = pi;
    let remove = 1;
    const parts: Piece[] = [];
    if (from > 0) parts.push(slice(p, 0, from));
    else if (pi > 0 && canJoin(ps[pi - 1]!, mid)) {
      mid = join(ps[pi - 1]!, mid);
      start--;
      remove++;
    }
    const right = to < p.n ? slice(p, to, p.n) : null;
    if (right === null && pi + 1 < ps.length && canJoin(mid, ps[pi + 1]!)) {
      mid = join(mid, ps[pi + 1]!);
      remove++;
    }
    parts.push(mid);
    if (right !== null) parts.push(right);
    ps.splice(start, remove, ...parts);
    this.pieceCount += parts.length - remove;
    this.changed(ci, ch, from - to, -u16Of(p, from, to), null);
  }

  /** Merges one incoming piece: marks known elements deleted, integrates new ones. */
  addPiece(item: Piece, pending: Piece[]): void {
    let off = 0;
    while (off < item.n) {
      const cc = item.c + off;
      const p = this.findPiece(item.r, cc);
      if (p === undefined) break;
      const k = cc - p.c;
      const m = Math.min(p.n - k, item.n - off);
      if (item.v === null && p.v !== null) this.tombstone(this.hint, this.fpi, k, k + m);
      off += m;
    }
    if (off === item.n) return;
    // An element absent here has no known successor in its chain: the rest is new.
    const rest = slice(item, off, item.n);
    if (rest.or === null) this.after(0, 0, rest);
    else if (this.findPiece(rest.or, rest.oc)) this.after(this.hint, this.fpi, rest);
    else pending.push(rest);
  }

  /** The merged state, with `pending` (normalized) waiting. */
  toDoc(pending: Pending, max: number): Doc {
    searchHint = this.hint;
    return makeDoc(this.chunks, this.vis, this.u16, this.seqMax, max, pending, this.pieceCount, this.cacheCi, this.cacheStart, this.ids);
  }
}

const EMPTY: Doc = makeDoc([], 0, 0, 0, 0, NO_PENDING, 0);

const isEmpty = (d: Doc): boolean => d.chunks.length === 0 && d.waiting.total === 0;

const byCounter = (a: Piece, b: Piece): number => a.c - b.c || compareRC(a, b);

/** @internal A state from validated runs: the list in order, and the pending runs normalized. */
export function fromRuns(seq: readonly Piece[], pending: readonly Piece[]): RGA {
  const chunks: Chunk[] = [];
  let length = 0;
  let u16 = 0;
  let seqMax = 0;
  for (let i = 0; i < seq.length; i += MAX_PIECES / 2) {
    const chunk = chunkOf(seq.slice(i, i + MAX_PIECES / 2), 0);
    chunks.push(chunk);
    length += chunk.vis;
    u16 += chunk.u16;
    if (chunk.hi > seqMax) seqMax = chunk.hi;
  }
  return makeDoc(chunks, length, u16, seqMax, maxCounter(pending, seqMax), pendingOf(pending), seq.length);
}

// ---------------------------------------------------------------------------
// Lattice

/**
 * The empty list: the state of a replica that has seen nothing.
 *
 * @example
 * ```ts
 * import * as RGA from '@convergent/rga';
 *
 * RGA.length(RGA.bottom); // => 0
 * RGA.toArray(RGA.bottom); // => []
 * ```
 */
export const bottom: RGA = EMPTY;

/**
 * The join of two states: every element either has seen, deleted where either
 * deleted it, in the one order all replicas agree on. Elements whose origin is in
 * neither state stay pending (invisible) until it arrives. Never mutates its
 * arguments; unchanged parts are shared with them.
 *
 * @param a - one state
 * @param b - another state
 * @returns their least upper bound
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'Hello');
 * const b = RGA.insertText(RGA.bottom, asReplicaId('b'), 0, 'World');
 * RGA.text(RGA.merge(a, b)); // => 'WorldHello'
 * RGA.text(RGA.merge(b, a)); // => 'WorldHello'
 * ```
 */
export function merge(a: RGA, b: RGA): RGA {
  return mergeInto(a as Doc, b as Doc, undefined);
}

/**
 * @internal {@link merge}, telling `log` (when given) every visible change as made, in
 * the coordinates of `x`. When `y` is the larger state (or `x` is empty) the changes are
 * not logged one by one: the log overflows.
 */
export function mergeInto(x: Doc, y: Doc, log: ChangeLog | undefined): Doc {
  if (localDelta === y && localBase === x) {
    // y is the delta a mutator just made from x: it applies where the mutator found its place.
    // The new piece is newer than everything in x, and no pending piece can wait for it.
    const work = new Work(x);
    if (log !== undefined) work.log = log;
    if (localItem !== null) work.after(localCi, localPi, localItem);
    else work.tombstone(localCi, localPi, localK, localTo);
    return work.toDoc(x.waiting, Math.max(x.clock, y.clock));
  }
  if (x === y || isEmpty(y)) return x;
  if (isEmpty(x)) {
    log?.overflow();
    return y;
  }
  let base = x;
  let other = y;
  if (y.pieceCount + y.waiting.total > x.pieceCount + x.waiting.total) {
    // Integrating the larger state into the smaller would be slow: the caller compares texts instead.
    log?.overflow();
    log = undefined;
    base = y;
    other = x;
  }
  const items: Piece[] = [];
  // Chunks both states share (one derived from the other) hold nothing new.
  const shared = other.chunks.length > 2 ? new Set(base.chunks) : null;
  for (const ch of other.chunks) if (shared === null || !shared.has(ch)) for (const p of ch.pieces) items.push(p);
  // List order is causal (an origin is before its children) and keeps each search near
  // the last; pending runs follow, in counter order (an origin has a smaller counter).
  for (const p of runsOf(other.waiting).sort(byCounter)) items.push(p);
  if (items.length === 0) return base;
  return integrate(items, base, Math.max(x.clock, y.clock), log);
}

// Where the last delta a mutator made applies in the state it was made from, so that
// the merge that usually follows (`state = merge(state, delta)`) skips the search.
// A cache, not part of any value: merging anything else takes the general path.
// Module-level, overwritten by every mutator: an edit allocates nothing for it.
let localBase: Doc | null = null;
let localDelta: Doc | null = null;
// Where locate() found the origin of an insert (any place for the head), or the first
// deleted elements, from offset localK to localTo.
let localCi = 0;
let localPi = 0;
let localK = 0;
let localTo = 0;
/** Insert: the new piece. Delete: null. */
let localItem: Piece | null = null;

/** Records a mutator's delta, at the place {@link locate} found last. */
function remember(base: Doc, delta: Doc | null, item: Piece | null, to: number): void {
  localBase = base;
  localDelta = delta;
  localCi = locCi;
  localPi = locPi;
  localK = locK;
  localTo = to;
  localItem = item;
}

/**
 * Structural equality: the same elements (identities, origins, contents, deletions)
 * in the same order, and the same pending elements.
 *
 * @param a - one state
 * @param b - another state
 * @returns whether they are the same value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = RGA.insertAt(RGA.bottom, asReplicaId('a'), 0, ['x']);
 * RGA.equals(a, RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'x')); // => true
 * RGA.equals(a, RGA.bottom); // => false
 * ```
 */
export function equals(a: RGA, b: RGA): boolean {
  if (a === b) return true;
  const x = a as Doc;
  const y = b as Doc;
  // Cheap summaries first; then the maximal runs, which are canonical.
  if (x.vis !== y.vis || x.clock !== y.clock || x.seqMax !== y.seqMax) return false;
  return sameRuns(runsOf(x.waiting), runsOf(y.waiting)) && sameRuns(maximal(sequence(x)), maximal(sequence(y)));
}

const sameRuns = (p: readonly Piece[], q: readonly Piece[]): boolean => p.length === q.length && p.every((r, i) => samePiece(r, q[i]!));

function samePiece(p: Piece, q: Piece): boolean {
  if (p.r !== q.r || p.c !== q.c || p.n !== q.n || p.or !== q.or || p.oc !== q.oc) return false;
  if (p.v === null || typeof p.v === 'string' || q.v === null || typeof q.v === 'string') return p.v === q.v;
  // Stored values are canonical, so equal values have equal keys.
  const w = q.v;
  return p.v.every((v, i) => canonicalKey(v) === canonicalKey(w[i]!));
}

/**
 * The lattice order: whether `b` has seen everything `a` has.
 *
 * @param a - one state
 * @param b - another state
 * @returns `true` when `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'x');
 * RGA.leq(RGA.bottom, a); // => true
 * RGA.leq(a, RGA.bottom); // => false
 * ```
 */
export function leq(a: RGA, b: RGA): boolean {
  const x = a as Doc;
  const y = b as Doc;
  if (x === y || isEmpty(x)) return true;
  if (x.clock > y.clock) return false;
  // Every element of a must be in b, deleted there if deleted in a. Chunks that b shares
  // with a (one derived from the other) hold nothing b lacks.
  const shared = x.chunks.length > 2 ? new Set(y.chunks) : null;
  const pieces = runsOf(x.waiting);
  for (const ch of x.chunks) if (shared === null || !shared.has(ch)) for (const p of ch.pieces) pieces.push(p);
  // Many pieces: the definition, as a merge searches b's list near the last piece found
  // (pieces in list order), rather than once per piece from wherever the last search ended.
  if (pieces.length > MAX_PIECES) return equals(merge(a, b), b);
  const work = new Work(y);
  const pending = runsOf(y.waiting);
  return pieces.every((p) => seen(work, pending, p));
}

/** The piece of `pieces` (sorted by replica and counter, disjoint) that holds element (r, c). */
function holding(pieces: readonly Piece[], r: ReplicaId, c: number): Piece | undefined {
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const q = pieces[mid]!;
    if (q.r < r || (q.r === r && q.c <= c)) lo = mid + 1;
    else hi = mid - 1;
  }
  const q = pieces[hi];
  return q !== undefined && q.r === r && c < q.c + q.n ? q : undefined;
}

/**
 * Whether every element of `p` is in the state that `work` reads (or in its `pending`),
 * deleted there if `p` deletes it (unless `anyStatus`).
 */
function seen(work: Work, pending: readonly Piece[], p: Piece, anyStatus = false): boolean {
  for (let c = p.c; c < p.c + p.n; ) {
    const q = work.findPiece(p.r, c) ?? holding(pending, p.r, c);
    if (q === undefined || (!anyStatus && p.v === null && q.v !== null)) return false;
    c = q.c + q.n;
  }
  return true;
}

/** @internal A test of whether `state` holds every element of a piece, deleted or not. */
export function holder(state: RGA): (p: Piece) => boolean {
  const d = state as Doc;
  const work = new Work(d);
  const pending = runsOf(d.waiting);
  return (p) => seen(work, pending, p, true);
}

// ---------------------------------------------------------------------------
// Mutators

let checkedReplica: string | undefined;
function checkReplica(replica: ReplicaId): void {
  if (replica !== checkedReplica) checkedReplica = asReplicaId(replica);
}

function checkIndex(value: number, max: number, what = 'index'): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max)
    throw new RangeError(`${what} ${String(value)} is out of range 0..${max}`);
}

// Module-level results of locate(), to avoid allocating.
let locCi = 0;
let locPi = 0;
let locK = 0;

/** A sequence and its visible sizes: a state, or a merge in progress. */
interface Measured {
  readonly chunks: readonly Chunk[];
  readonly vis: number;
  readonly u16: number;
}

/**
 * @internal The index of the element at UTF-16 `offset` (0 to the UTF-16 length): the
 * element count before it.
 * @throws RangeError when `offset` is out of range or inside a character
 */
export function indexAtUtf16(d: Measured, offset: number, what = 'offset'): number {
  checkIndex(offset, d.u16, what);
  if (d.u16 === d.vis) return offset; // every element one unit
  const chunks = d.chunks;
  let ci = 0;
  let off = 0;
  let index = 0;
  for (; ci < chunks.length && off + chunks[ci]!.u16 <= offset; ci++) {
    off += chunks[ci]!.u16;
    index += chunks[ci]!.vis;
  }
  if (off === offset) return index;
  for (const p of chunks[ci]!.pieces) {
    const v = p.v;
    if (v === null) continue;
    if (typeof v === 'string') {
      if (offset - off < p.n) return index + offset - off;
      off += p.n;
      index += p.n;
      continue;
    }
    for (const e of v) {
      if (off === offset) return index;
      off += widthOf(e);
      if (off > offset) throw new RangeError(`${what} ${String(offset)} splits a character (a surrogate pair)`);
      index++;
    }
  }
  return index; // not reached: the offset is inside chunk ci
}

/**
 * @internal Elements `[from, to)` covering the UTF-16 range `[offset, offset + length)`.
 * @throws RangeError when the range is out of bounds or either end is inside a character
 */
export function rangeUtf16(d: Measured, offset: number, length: number): [number, number] {
  checkIndex(offset, d.u16);
  checkIndex(length, d.u16 - offset, 'length');
  return [indexAtUtf16(d, offset), indexAtUtf16(d, offset + length, 'end')];
}

/**
 * @internal Where an element is: its visible index, or the index where it was (deleted),
 * counted in elements or UTF-16 units; -1 when not in the sequence.
 */
export function positionOf(state: RGA, id: ElementId, utf16: boolean): { at: number; visible: boolean } {
  const d = state as Doc;
  const work = new Work(d);
  const p = work.findPiece(id.replica, id.counter);
  if (p === undefined) return { at: -1, visible: false };
  const k = id.counter - p.c;
  let at = utf16 ? u16Of(p, 0, k) : p.v === null ? 0 : k;
  for (let i = 0; i < work.hint; i++) at += utf16 ? d.chunks[i]!.u16 : d.chunks[i]!.vis;
  const ps = d.chunks[work.hint]!.pieces;
  for (let i = 0; i < work.fpi; i++) at += utf16 ? u16Of(ps[i]!) : visOf(ps[i]!);
  return { at, visible: p.v !== null };
}

/** A sequence that {@link locate} can search: a state, or a merge in progress. */
interface Located {
  readonly chunks: readonly Chunk[];
  cacheCi: number;
  cacheStart: number;
}

/** The piece holding the visible element at `index` (0 <= index < length); its place in `locCi`, `locPi`, `locK`. */
function locate(d: Located, index: number): Piece {
  const chunks = d.chunks;
  let ci = d.cacheCi;
  let start = d.cacheStart;
  if (ci >= chunks.length) ci = start = 0;
  while (index < start) {
    ci--;
    start -= chunks[ci]!.vis;
  }
  while (index >= start + chunks[ci]!.vis) {
    start += chunks[ci]!.vis;
    ci++;
  }
  d.cacheCi = ci;
  d.cacheStart = start;
  let rem = index - start;
  const ps = chunks[ci]!.pieces;
  for (let pi = 0; ; pi++) {
    const p = ps[pi]!;
    if (p.v === null) continue;
    if (rem < p.n) {
      locCi = ci;
      locPi = pi;
      locK = rem;
      return p;
    }
    rem -= p.n;
  }
}

/** @internal A UTF-16 surrogate: text elements are single code units, so text holding one needs care. */
export const SURROGATE = /[\uD800-\uDFFF]/;

/** @internal Whether a value is stored as text: a one-unit string, not a surrogate. */
export const isChar = (v: unknown): v is string =>
  typeof v === 'string' && v.length === 1 && (v.charCodeAt(0) < 0xd800 || v.charCodeAt(0) > 0xdfff);

function deepFreeze(value: JsonValue): JsonValue {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item as JsonValue);
    Object.freeze(value);
  }
  return value;
}

/** @internal A stored copy of a JSON value: canonical, deeply frozen. */
export function storedValue(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null) {
    canonicalKey(value); // validates numbers
    return Object.is(value, -0) ? 0 : value;
  }
  return deepFreeze(fromCanonicalKey(canonicalKey(value)));
}

function makeInsert(d: Doc, replica: ReplicaId, index: number, segments: Array<string | JsonValue[]>, n: number): RGA {
  if (n === 0) return bottom;
  if (d.clock + n > Number.MAX_SAFE_INTEGER) throw new RangeError('counter overflow');
  let or: ReplicaId | null = null;
  let oc = 0;
  searchHint = 0;
  if (index > 0) {
    const p = locate(d, index - 1);
    or = p.r;
    oc = p.c + locK;
    searchHint = locCi;
  }
  let c = d.clock + 1;
  const pieces: Piece[] = [];
  for (const seg of segments) {
    pieces.push(mk(replica, c, seg.length, or, oc, seg));
    // The next run goes after this one.
    or = replica;
    c += seg.length;
    oc = c - 1;
  }
  const max = d.clock + n;
  // Without its origin the delta cannot place the run: it holds it pending.
  const chunk = chunkOf(pieces, 0);
  const delta = index === 0 ? makeDoc([chunk], n, chunk.u16, max, max, NO_PENDING, pieces.length) : makeDoc([], 0, 0, 0, max, pendingOf(pieces), 0);
  remember(d, pieces.length === 1 ? delta : null, pieces[0]!, 0);
  return delta;
}

/**
 * Inserts values so that the first lands at `index`: the delta holding the new
 * elements. Merge it into the state (and send it to other replicas).
 *
 * @param state - the replica's current state
 * @param replica - the acting replica
 * @param index - where to insert, from 0 to `length(state)`
 * @param values - the JSON values to insert (copied; single characters are stored as text)
 * @returns the delta
 * @throws RangeError when `index` is out of range
 * @throws `InvalidValueError` when a value is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let list = RGA.merge(RGA.bottom, RGA.insertAt(RGA.bottom, a, 0, [1, 3]));
 * list = RGA.merge(list, RGA.insertAt(list, a, 1, [{ two: 2 }]));
 * RGA.toArray(list); // => [1, { two: 2 }, 3]
 * ```
 */
export function insertAt(state: RGA, replica: ReplicaId, index: number, values: readonly JsonValue[]): RGA {
  const d = state as Doc;
  checkReplica(replica);
  checkIndex(index, d.vis);
  return makeInsert(d, replica, index, segmentsOf(values), values.length);
}

/** Values as runs to store: text (one-unit strings), and stored copies of everything else. */
function segmentsOf(values: readonly JsonValue[]): Array<string | JsonValue[]> {
  if (!Array.isArray(values)) throw new InvalidValueError('values must be an array');
  const segments: Array<string | JsonValue[]> = [];
  let text = '';
  let other: JsonValue[] = [];
  for (const value of values as unknown[]) {
    if (isChar(value)) {
      if (other.length > 0) segments.push(other), (other = []);
      text += value;
    } else {
      if (text.length > 0) segments.push(text), (text = '');
      other.push(storedValue(value as JsonValue));
    }
  }
  if (text.length > 0) segments.push(text);
  if (other.length > 0) segments.push(other);
  return segments;
}

/**
 * Inserts a string so that its first character lands at `index`. Indexes count
 * elements, and a text element is one Unicode code point.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica
 * @param index - where to insert, from 0 to `length(state)`
 * @param text - the text (well-formed: no lone surrogates)
 * @returns the delta
 * @throws RangeError when `index` is out of range
 * @throws `InvalidValueError` when `text` is not a well-formed string
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'Hllo'));
 * doc = RGA.merge(doc, RGA.insertText(doc, a, 1, 'e'));
 * RGA.text(doc); // => 'Hello'
 * ```
 */
export function insertText(state: RGA, replica: ReplicaId, index: number, text: string): RGA {
  const d = state as Doc;
  checkReplica(replica);
  checkIndex(index, d.vis);
  const segments = textSegments(text);
  return makeInsert(d, replica, index, segments, elements(segments));
}

/** Text as runs to store: one text run, or code points when it has any beyond one unit. */
function textSegments(text: string): Array<string | JsonValue[]> {
  if (typeof text !== 'string' || !text.isWellFormed()) throw new InvalidValueError('text is not well-formed');
  if (SURROGATE.test(text)) return segmentsOf([...text]);
  return text.length > 0 ? [text] : [];
}

const elements = (segments: ReadonlyArray<{ length: number }>): number => segments.reduce((n, seg) => n + seg.length, 0);

/**
 * Deletes `count` elements starting at `index`: the delta that marks them deleted.
 * The deleted elements keep only their identity and origin, so that concurrent
 * inserts next to them still find their place.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica (validated; deletion creates no new identities)
 * @param index - the first element to delete
 * @param count - how many elements (default 1); `index + count` must not pass `length(state)`
 * @returns the delta
 * @throws RangeError when the range is out of bounds
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let list = RGA.merge(RGA.bottom, RGA.insertAt(RGA.bottom, a, 0, [1, 2, 3, 4]));
 * list = RGA.merge(list, RGA.deleteAt(list, a, 1, 2));
 * RGA.toArray(list); // => [1, 4]
 * ```
 */
export function deleteAt(state: RGA, replica: ReplicaId, index: number, count = 1): RGA {
  const d = state as Doc;
  checkReplica(replica);
  checkIndex(index, d.vis);
  checkIndex(count, d.vis - index, 'count');
  if (count === 0) return bottom;
  const firstPiece = locate(d, index);
  searchHint = locCi;
  const tombs: Piece[] = [];
  let ci = locCi;
  let pi = locPi;
  let k = locK;
  let left = count;
  const chunks = d.chunks;
  while (left > 0) {
    const ps = chunks[ci]!.pieces;
    if (pi >= ps.length) {
      ci++;
      pi = 0;
      continue;
    }
    const p = ps[pi++]!;
    if (p.v === null) continue;
    const t = Math.min(p.n - k, left);
    tombs.push(tombOf(slice(p, k, k + t)));
    left -= t;
    k = 0;
  }
  const delta = deltaOf(tombs);
  const first = locK + count <= firstPiece.n;
  remember(d, first ? delta : null, null, locK + count);
  return delta;
}

/** @internal A delta holding `pieces`: those whose origin is the head or in the delta are placed, the rest pending. */
export function deltaOf(pieces: Piece[]): Doc {
  if (!pieces.some((p) => p.or === null)) return makeDoc([], 0, 0, 0, maxCounter(pieces), pendingOf(normalizePending(pieces)), 0);
  return integrate(pieces.sort(byCounter));
}

/**
 * @internal `base` (by default empty) with `pieces` integrated in the order given (each
 * origin before its children), and the given clock. Pieces whose origin is missing wait;
 * base's pending pieces are placed as soon as their origin is.
 */
export function integrate(pieces: readonly Piece[], base = EMPTY, clock = maxCounter(pieces), log?: ChangeLog): Doc {
  const work = new Work(base);
  if (log !== undefined) work.log = log;
  const pend = (work.pend = new PendingWork(base.waiting));
  // Pieces that wait here wait after this merge too: each comes after its origin (in list
  // order, or in counter order: an origin has a smaller counter), which was placed first
  // if it could be.
  const pending: Piece[] = [];
  for (const p of pieces) {
    work.addPiece(p, pending);
    for (let q = work.released.pop(); q !== undefined; q = work.released.pop()) work.addPiece(q, pending);
  }
  for (const p of pending) pend.add(p);
  return work.toDoc(pend.done(), clock);
}

/**
 * Deletes `count` characters (code points) of text starting at `index`; the text
 * spelling of {@link deleteAt}.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica
 * @param index - the first character to delete
 * @param count - how many characters
 * @returns the delta
 * @throws RangeError when the range is out of bounds
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'Hello, world'));
 * doc = RGA.merge(doc, RGA.deleteText(doc, a, 5, 7));
 * RGA.text(doc); // => 'Hello'
 * ```
 */
export function deleteText(state: RGA, replica: ReplicaId, index: number, count: number): RGA {
  return deleteAt(state, replica, index, count);
}

/**
 * The edits that {@link edit} applies in one step. Indexes refer to the list as
 * edited so far; each method validates its arguments as the single-edit mutators do.
 * Usable only inside the `edit` call that made it: once that call has returned or
 * thrown, every member throws `ConvergentError`.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const { state } = RGA.edit(RGA.bottom, asReplicaId('a'), (e: RGA.Editor) => {
 *   e.insertText(0, 'abc');
 *   e.deleteText(1, 1);
 *   e.insertAt(e.length, [{ n: 1 }]);
 * });
 * RGA.toArray(state); // => ['a', 'c', { n: 1 }]
 * ```
 */
export interface Editor {
  /** The number of visible elements so far. */
  readonly length: number;
  /** Inserts values so that the first lands at `index` (see {@link insertAt}). */
  insertAt(index: number, values: readonly JsonValue[]): void;
  /** Inserts text so that its first character lands at `index` (see {@link insertText}). */
  insertText(index: number, text: string): void;
  /** Deletes `count` elements from `index` (see {@link deleteAt}). */
  deleteAt(index: number, count?: number): void;
  /** Deletes `count` characters from `index` (see {@link deleteText}). */
  deleteText(index: number, count: number): void;
  /** The text's length so far in UTF-16 code units (see `lengthUtf16`). */
  readonly lengthUtf16: number;
  /** Inserts text at a UTF-16 offset of the text as edited so far (see `insertTextUtf16`). */
  insertTextUtf16(offset: number, text: string): void;
  /** Deletes `length` UTF-16 units from `offset` (see `deleteTextUtf16`). */
  deleteTextUtf16(offset: number, length: number): void;
}

/**
 * Applies many edits in one step: the new state, and one delta that carries them all
 * (send it to other replicas). Faster than one mutator and one merge per edit, because
 * the intermediate states are never seen: each chunk the edits touch is copied once.
 *
 * @param state - the replica's current state (left unchanged)
 * @param replica - the acting replica
 * @param edits - makes the edits through the {@link Editor} it is given
 * @returns the edited state and the delta
 * @throws whatever the edits throw (RangeError, `InvalidValueError`); nothing is applied then
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * const doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'Hello world'));
 * const { state, delta } = RGA.edit(doc, a, (e) => {
 *   e.deleteText(0, 1);
 *   e.insertText(0, 'J');
 *   e.insertText(e.length, '!');
 * });
 * RGA.text(state); // => 'Jello world!'
 * RGA.text(RGA.merge(doc, delta)); // => 'Jello world!'
 * ```
 */
export function edit(
  state: RGA,
  replica: ReplicaId,
  edits: (editor: Editor) => void,
): {
  /** The state with every edit applied. */
  state: RGA;
  /** One delta that carries every edit: merged into `state`'s input, it gives `state`. */
  delta: RGA;
} {
  const d = state as Doc;
  checkReplica(replica);
  const work = new Work(d);
  let max = d.clock;
  // Deleted elements that were there before: the delta finds the rest in the new state.
  const deleted: Piece[] = [];
  let open = true;
  const checkOpen = (): void => {
    if (!open) throw new ConvergentError('this editor is closed: its edit() call has ended');
  };
  const insert = (index: number, segments: Array<string | JsonValue[]>): void => {
    checkOpen();
    checkIndex(index, work.vis);
    if (max + elements(segments) > Number.MAX_SAFE_INTEGER) throw new RangeError('counter overflow');
    for (const seg of segments) {
      // The new run is the newest element: it goes right after its origin (or the head).
      const origin = index > 0 ? locate(work, index - 1) : null;
      work.after(locCi, locPi, mk(replica, max + 1, seg.length, origin && origin.r, origin ? origin.c + locK : 0, seg));
      max += seg.length;
      index += seg.length;
    }
  };
  const remove = (index: number, count = 1): void => {
    checkOpen();
    checkIndex(index, work.vis);
    checkIndex(count, work.vis - index, 'count');
    while (count > 0) {
      const p = locate(work, index);
      const t = Math.min(p.n - locK, count);
      // Elements older than the edit: other replicas', or this one's up to the old max.
      const old = p.r === replica ? Math.min(t, d.clock - (p.c + locK) + 1) : t;
      if (old > 0) deleted.push(tombOf(slice(p, locK, locK + old)));
      work.tombstone(locCi, locPi, locK, locK + t);
      count -= t;
    }
  };
  // Closed however the call ends: an editor kept past a throw must not edit a discarded copy.
  try {
    edits({
      get length() {
        checkOpen();
        return work.vis;
      },
      insertAt: (index, values) => insert(index, segmentsOf(values)),
      insertText: (index, text) => insert(index, textSegments(text)),
      deleteAt: remove,
      deleteText: remove,
      get lengthUtf16() {
        checkOpen();
        return work.u16;
      },
      insertTextUtf16: (offset, text) => {
        checkOpen();
        insert(indexAtUtf16(work, offset), textSegments(text));
      },
      deleteTextUtf16: (offset, length) => {
        checkOpen();
        const [from, to] = rangeUtf16(work, offset, length);
        remove(from, to - from);
      },
    });
  } finally {
    open = false;
  }
  // New elements (the replica's, past the old max) are only in chunks this edit wrote.
  const pieces = normalizePending(deleted);
  for (const ch of work.chunks)
    if (ch.own === work.tok)
      for (const p of ch.pieces) if (p.r === replica && p.c + p.n - 1 > d.clock) pieces.push(slice(p, Math.max(0, d.clock + 1 - p.c), p.n));
  return {
    state: work.toDoc(d.waiting, max),
    delta: pieces.length === 0 ? bottom : deltaOf(pieces),
  };
}

// ---------------------------------------------------------------------------
// Queries

/**
 * The number of visible elements (for text: code points).
 *
 * @param state - a state
 * @returns its length
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * RGA.length(RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'abc')); // => 3
 * ```
 */
export function length(state: RGA): number {
  return (state as Doc).vis;
}

/** The piece holding the visible element at `index` (checked), as {@link locate} gives it. */
function visibleAt(state: RGA, index: number): Piece {
  const d = state as Doc;
  checkIndex(index, d.vis - 1);
  return locate(d, index);
}

/**
 * The element at `index`.
 *
 * @param state - a state
 * @param index - from 0 to `length(state) - 1`
 * @returns the element (frozen)
 * @throws RangeError when `index` is out of range
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const list = RGA.insertAt(RGA.bottom, asReplicaId('a'), 0, ['x', { y: 1 }]);
 * RGA.get(list, 1); // => { y: 1 }
 * ```
 */
export function get(state: RGA, index: number): JsonValue {
  // A visible piece has content: a string or an array, indexed alike.
  return (visibleAt(state, index).v as string | readonly JsonValue[])[locK]!;
}

/**
 * All visible elements, in order, as a new array (of frozen elements).
 *
 * @param state - a state
 * @returns the elements
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * RGA.toArray(RGA.insertAt(RGA.bottom, asReplicaId('a'), 0, [true, null, 'z'])); // => [true, null, 'z']
 * ```
 */
export function toArray(state: RGA): JsonValue[] {
  const out: JsonValue[] = [];
  for (const ch of (state as Doc).chunks)
    for (const p of ch.pieces) {
      // Text holds no surrogates: iterating it yields one element per unit.
      if (p.v !== null) for (const v of p.v) out.push(v);
    }
  return out;
}

/**
 * The text: every visible element concatenated.
 *
 * @param state - a state whose elements are all strings
 * @returns the text
 * @throws `InvalidValueError` when an element is not a string
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * RGA.text(RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'héllo 👋')); // => 'héllo 👋'
 * ```
 */
export function text(state: RGA): string {
  const parts: string[] = [];
  for (const ch of (state as Doc).chunks)
    for (const p of ch.pieces) {
      if (p.v === null) continue;
      if (typeof p.v === 'string') parts.push(p.v);
      else
        for (const v of p.v) {
          if (typeof v !== 'string') throw new InvalidValueError('an element is not a string');
          parts.push(v);
        }
    }
  return parts.join('');
}

/**
 * The identity of the element at `index`, stable across every later edit.
 *
 * @param state - a state
 * @param index - from 0 to `length(state) - 1`
 * @returns the element's identity
 * @throws RangeError when `index` is out of range
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'world'));
 * const w = RGA.idAt(doc, 0);
 * doc = RGA.merge(doc, RGA.insertText(doc, a, 0, 'hello '));
 * RGA.indexOf(doc, w); // => 6
 * ```
 */
export function idAt(state: RGA, index: number): ElementId {
  const p = visibleAt(state, index);
  return Object.freeze({ replica: p.r, counter: p.c + locK });
}

/**
 * Where an element is now.
 *
 * @param state - a state
 * @param id - an element identity, from {@link idAt}
 * @returns its index, or -1 when the element is deleted or not (yet) visible here
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'abc'));
 * const b = RGA.idAt(doc, 1);
 * RGA.indexOf(doc, b); // => 1
 * doc = RGA.merge(doc, RGA.deleteText(doc, a, 1, 1));
 * RGA.indexOf(doc, b); // => -1
 * ```
 */
export function indexOf(state: RGA, id: ElementId): number {
  const { at, visible } = positionOf(state, id, false);
  return visible ? at : -1;
}
