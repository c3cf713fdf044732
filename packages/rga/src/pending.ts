// The pending runs of a state: elements whose origin has not arrived, waiting
// invisibly. A persistent list in the canonical form the codec writes (sorted by replica
// and counter, disjoint, maximal), held in copied-on-write chunks, so that a merge that
// adds or releases a run copies one chunk and the top array, never the whole list (256
// runs a chunk: the best of 64 to 1,024 on the shuffled traces).
// An index by the element each run waits for lets a merge release exactly the runs
// whose origin it placed, instead of retrying every pending run on every merge (which
// made a late joiner receiving deltas out of order quadratic).
import type { ReplicaId } from '@convergent/core';
import { normalizePending, type Piece } from './rga.js';

const MAX = 256;

/** Runs by the element they wait for: its replica, then its counter. Entries may be stale (a run since joined or released): checked on use. */
type Index = Map<ReplicaId, Map<number, Piece[]>>;

/** @internal An immutable list of pending runs. */
export interface Pending {
  readonly chunks: ReadonlyArray<readonly Piece[]>;
  /** How many runs. */
  readonly total: number;
  /** Its index, until a merge takes it over for the list it makes (only the newest list keeps one up to date). */
  ix?: Index | undefined;
}

/** @internal The runs of a list, in order. */
export function runsOf(list: Pending): Piece[] {
  const out: Piece[] = [];
  for (const ch of list.chunks) for (const p of ch) out.push(p);
  return out;
}

/** @internal Canonical runs (sorted, disjoint, maximal) as a list, its chunks half full. */
export function pendingOf(runs: readonly Piece[]): Pending {
  const chunks: Piece[][] = [];
  for (let i = 0; i < runs.length; i += MAX / 2) chunks.push(runs.slice(i, i + MAX / 2));
  return { chunks, total: runs.length };
}

/** @internal No pending runs. */
export const NO_PENDING = pendingOf([]);

/** Whether run `p` orders before element (r, c). */
const before = (p: Piece, r: ReplicaId, c: number): boolean => (p.r === r ? p.c < c : p.r < r);

function addTo(map: Index, q: Piece): void {
  let byC = map.get(q.or!);
  if (byC === undefined) map.set(q.or!, (byC = new Map()));
  const qs = byC.get(q.oc) ?? [];
  // A run that grew replaces its former self (which would keep old content alive).
  const i = qs.findIndex((x) => x.r === q.r && x.c === q.c);
  qs[i < 0 ? qs.length : i] = q;
  byC.set(q.oc, qs);
}

/** @internal A merge's changes to a pending list: releases runs, adds runs, then gives the new list. */
export class PendingWork {
  private declare chunks: Array<readonly Piece[]>;
  private declare total: number;
  private declare byOrigin: Index | undefined;

  constructor(base: Pending) {
    this.chunks = base.chunks.slice();
    this.total = base.total;
    this.byOrigin = base.ix;
    base.ix = undefined;
  }

  /** The chunk that holds element (r, c) if any run does: the last one whose first run does not order after it (0 if none). */
  private scan(r: ReplicaId, c: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (before(this.chunks[mid]![0]!, r, c + 1)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Replaces chunks `lo..hi` with new ones holding `runs`. */
  private place(lo: number, hi: number, runs: Piece[]): void {
    this.chunks.splice(lo, hi - lo + 1, ...(runs.length > MAX ? [runs.slice(0, runs.length >> 1), runs.slice(runs.length >> 1)] : runs.length > 0 ? [runs] : []));
  }

  /** Removes and returns the runs that wait for an element `(r, from .. to-1)`. */
  release(r: ReplicaId, from: number, to: number): Piece[] {
    const out: Piece[] = [];
    if (this.total === 0) return out;
    if (this.byOrigin === undefined) {
      this.byOrigin = new Map();
      for (const ch of this.chunks) for (const q of ch) addTo(this.byOrigin, q);
    }
    const byC = this.byOrigin.get(r);
    if (byC === undefined) return out;
    for (let oc = from; oc < to; oc++) {
      const qs = byC.get(oc) ?? [];
      byC.delete(oc);
      for (const q of qs) {
        // The run that starts where q started, if it is still pending: it waits for (r, oc).
        const ci = this.scan(q.r, q.c);
        const ch = this.chunks[ci] ?? [];
        const i = ch.findIndex((p) => p.r === q.r && p.c === q.c);
        if (i < 0) continue;
        out.push(ch[i]!);
        this.total--;
        this.place(ci, ci, ch.filter((_, k) => k !== i));
      }
    }
    return out;
  }

  /** Adds runs (which may overlap runs here: a tombstone wins over content). */
  add(p: Piece): void {
    // Whether a run orders after p's end: p can neither overlap nor join it.
    const past = (q: Piece): boolean => (q.r === p.r ? q.c > p.c + p.n : q.r > p.r);
    const cs = this.chunks;
    const lo = this.scan(p.r, p.c);
    let hi = lo;
    while (hi + 1 < cs.length && !past(cs[hi + 1]![0]!)) hi++;
    const old = ([] as Piece[]).concat(...cs.slice(lo, hi + 1));
    // The runs p may overlap or join: the one before it, and those up to its end.
    let from = 0;
    for (let top = old.length; from < top; ) {
      const mid = (from + top) >> 1;
      if (before(old[mid]!, p.r, p.c)) from = mid + 1;
      else top = mid;
    }
    if (from > 0) from--;
    let to = from;
    while (to < old.length && !past(old[to]!)) to++;
    const window = old.slice(from, to);
    const runs = normalizePending([...window, p]);
    if (this.byOrigin) for (const q of runs) if (!window.includes(q)) addTo(this.byOrigin, q);
    this.total += runs.length - window.length;
    old.splice(from, to - from, ...runs);
    this.place(lo, hi, old);
  }

  /** The new list, with the index. */
  done(): Pending {
    return { chunks: this.chunks, total: this.total, ix: this.byOrigin };
  }
}
