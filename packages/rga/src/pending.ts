// The pending runs of a state: elements whose origin has not arrived, waiting
// invisibly. A persistent list in the canonical form the codec writes (sorted by replica
// and counter, disjoint, maximal), held in a two-level tree of copied-on-write arrays
// (groups of leaves of runs), so that a merge that adds or releases a run copies one
// leaf, one group and the top array, a few hundred bytes, never the whole list.
// An index by the element each run waits for lets a merge release exactly the runs
// whose origin it placed, instead of retrying every pending run on every merge (which
// made a late joiner receiving deltas out of order quadratic).
import type { ReplicaId } from '@convergent/core';
import { maximal, normalizePending, type Piece } from './rga.js';

const SIZE = 32;

type Leaf = readonly Piece[];
type Group = readonly Leaf[];

/** Runs by the element they wait for: its replica, then its counter. Entries may be stale (a run since joined or released): checked on use. */
type Index = Map<ReplicaId, Map<number, Piece[]>>;

/** @internal An immutable list of pending runs. */
export class Pending {
  /** The index of the newest list derived from this one: valid here while `ix.of` is this list. */
  ix: { of: Pending; map: Index } | undefined;
  constructor(
    readonly groups: readonly Group[],
    readonly size: number,
  ) {}

  /** The runs in order. */
  toArray(): Piece[] {
    const out: Piece[] = [];
    for (const group of this.groups) for (const leaf of group) for (const p of leaf) out.push(p);
    return out;
  }
}

/** `xs` in parts of at most SIZE (none when empty). */
function split<T>(xs: readonly T[], size = SIZE): T[][] {
  const out: T[][] = [];
  const k = Math.ceil(xs.length / size);
  for (let i = 0; i < k; i++) out.push(xs.slice(Math.floor((i * xs.length) / k), Math.floor(((i + 1) * xs.length) / k)));
  return out;
}

/** @internal Canonical runs (sorted, disjoint, maximal) as a list, its arrays half full. */
export const pendingOf = (runs: readonly Piece[]): Pending => new Pending(split(split(runs, SIZE / 2), SIZE / 2), runs.length);

/** @internal No pending runs. */
export const NO_PENDING = new Pending([], 0);

/** Whether run `p` orders before element (r, c). */
const before = (p: Piece, r: ReplicaId, c: number): boolean => (p.r === r ? p.c < c : p.r < r);

/** The last of `xs` whose first run does not order after element (r, c); 0 if none. */
function lastUpTo<T>(xs: readonly T[], first: (x: T) => Piece, r: ReplicaId, c: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (before(first(xs[mid]!), r, c + 1)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function addTo(map: Index, q: Piece): void {
  let byC = map.get(q.or!);
  if (byC === undefined) map.set(q.or!, (byC = new Map()));
  const qs = byC.get(q.oc);
  // A run that grew replaces its former self (which would keep old content alive).
  const i = qs === undefined ? -1 : qs.findIndex((x) => x.r === q.r && x.c === q.c);
  if (qs === undefined) byC.set(q.oc, [q]);
  else if (i >= 0) qs[i] = q;
  else qs.push(q);
}

/** @internal A merge's changes to a pending list: releases runs, adds runs, then gives the new list. */
export class PendingWork {
  private groups: Group[];
  private size: number;
  private map: Index | undefined;
  private changed = false;
  /** Where {@link find} found a leaf: its group and its index there. */
  private g = 0;
  private l = 0;

  constructor(private readonly base: Pending) {
    this.groups = base.groups as Group[];
    this.size = base.size;
    if (base.ix?.of === base) this.map = base.ix.map;
  }

  /** Before a change: the top array, copied once. */
  private top(): Group[] {
    if (!this.changed) (this.groups = this.groups.slice()), (this.changed = true);
    return this.groups;
  }

  /** The leaf that holds element (r, c) if any run does (at `g`, `l`); undefined when the list is empty. */
  private find(r: ReplicaId, c: number): Leaf | undefined {
    this.g = lastUpTo(this.groups, (g) => g[0]![0]!, r, c);
    const group = this.groups[this.g];
    return group && group[(this.l = lastUpTo(group, (leaf) => leaf[0]!, r, c))];
  }

  /** Replaces the leaves from (g, l) to (g2, l2) with leaves holding `runs`. */
  private put(g: number, l: number, g2: number, l2: number, runs: readonly Piece[]): void {
    const groups = this.top();
    const leaves = [...(groups[g] ?? []).slice(0, l), ...split(runs), ...(groups[g2] ?? []).slice(l2 + 1)];
    groups.splice(g, g2 - g + 1, ...split(leaves));
  }

  /** Removes and returns the runs that wait for an element `(r, from .. to-1)`. */
  release(r: ReplicaId, from: number, to: number): Piece[] {
    const out: Piece[] = [];
    if (this.size === 0) return out;
    if (this.map === undefined) {
      this.map = new Map();
      for (const group of this.groups) for (const leaf of group) for (const q of leaf) addTo(this.map, q);
    }
    const byC = this.map.get(r);
    if (byC === undefined) return out;
    const take = (oc: number): void => {
      const qs = byC.get(oc);
      if (qs === undefined) return;
      byC.delete(oc);
      for (const q of qs) {
        // The run that starts where q started, if it is still pending: it waits for (r, oc).
        const leaf = this.find(q.r, q.c);
        const i = leaf ? leaf.findIndex((p) => p.r === q.r && p.c === q.c) : -1;
        if (i < 0) continue;
        out.push(leaf![i]!);
        this.size--;
        this.put(this.g, this.l, this.g, this.l, leaf!.filter((_, k) => k !== i));
      }
    };
    if (byC.size < to - from) {
      for (const oc of [...byC.keys()]) if (oc >= from && oc < to) take(oc);
    } else for (let oc = from; oc < to; oc++) take(oc);
    return out;
  }

  /** Adds runs (which may overlap runs here: a tombstone wins over content). */
  add(runs: readonly Piece[]): void {
    if (runs.length > SIZE && runs.length * SIZE > this.size) {
      // Many at once: normalize the whole list in one pass.
      const all = normalizePending([...new Pending(this.groups, 0).toArray(), ...runs]);
      this.groups = pendingOf(all).groups as Group[];
      this.size = all.length;
      this.changed = true;
      this.map = undefined;
      return;
    }
    for (const p of runs) this.addOne(p);
  }

  private addOne(p: Piece): void {
    // Whether a run orders after p's end: p can neither overlap nor join it.
    const past = (q: Piece): boolean => (q.r === p.r ? q.c > p.c + p.n : q.r > p.r);
    const groups = this.groups;
    const old = [...(this.find(p.r, p.c) ?? [])];
    const { g, l } = this;
    // The leaves p may reach: this one, and the next ones while their first run is not past p.
    let g2 = g;
    let l2 = l;
    for (;;) {
      const ng = l2 + 1 < (groups[g2]?.length ?? 0) ? g2 : g2 + 1;
      const nl = ng === g2 ? l2 + 1 : 0;
      if (ng >= groups.length || past(groups[ng]![nl]![0]!)) break;
      [g2, l2] = [ng, nl];
      old.push(...groups[g2]![l2]!);
    }
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
    // Usually p overlaps nothing: it goes between the runs before it and those after it, joining them.
    let i = 0;
    while (i < window.length && before(window[i]!, p.r, p.c)) i++;
    const prev = window[i - 1];
    const runs =
      (prev === undefined || !before(p, prev.r, prev.c + prev.n)) && window.every((q, k) => k < i || q.c >= p.c + p.n)
        ? maximal([...window.slice(0, i), p, ...window.slice(i)])
        : normalizePending([...window, p]);
    if (this.map) for (const q of runs) if (!window.includes(q)) addTo(this.map, q);
    this.size += runs.length - window.length;
    old.splice(from, to - from, ...runs);
    this.put(g, l, g2, l2, old);
  }

  /** The new list (the same one if nothing changed); it takes over the index, which no longer describes the old one. */
  done(): Pending {
    const base = this.base;
    if (!this.changed) {
      if (this.map !== undefined) base.ix = { of: base, map: this.map };
      return base;
    }
    const list = new Pending(this.groups, this.size);
    if (base.ix !== undefined && base.ix.map === this.map) base.ix.of = list;
    if (this.map !== undefined) list.ix = { of: list, map: this.map };
    return list;
  }
}
