import { PersistentMap, type ReplicaId } from '@convergent/core';
import type { DotContext } from './dot-context.js';

/**
 * A causal state whose live dots are grouped by key: an OR-Set (element → dots)
 * or an observed-remove map (key → the value's dot store). Every live dot is in
 * `context`, and lives under one key only.
 *
 * @typeParam S - what a key holds
 *
 * @example
 * ```ts
 * import { DotContext, type KeyedDots } from '@convergent/version-vector';
 * import { PersistentMap } from '@convergent/core';
 *
 * const empty: KeyedDots<number> = { entries: PersistentMap.empty(), context: DotContext.bottom };
 * empty.entries.size; // => 0
 * ```
 */
export interface KeyedDots<S> {
  /** What each key holds; keys that hold nothing are absent. */
  readonly entries: PersistentMap<S>;
  /** Every dot seen, live or removed. */
  readonly context: DotContext;
}

/** Per entries map, where each live dot lives: dot id to key. Built on first need. */
const indexes = new WeakMap<PersistentMap<unknown>, PersistentMap<string>>();
const dotId = (replica: ReplicaId, counter: number): string => `${counter} ${replica}`;

function* dotsIn(context: DotContext): Generator<[ReplicaId, number]> {
  for (const [replica, n] of context.vector.counts) for (let counter = 1; counter <= n; counter++) yield [replica, counter];
  for (const [replica, set] of context.cloud) for (const counter of set) yield [replica, counter];
}

function dotCount(context: DotContext): number {
  let n = 0;
  for (const count of context.vector.counts.values()) n += count;
  for (const set of context.cloud.values()) n += set.size;
  return n;
}

/**
 * The entries of the join of two keyed causal states, given the join of one key
 * (`join(x, cx, y, cy)`, symmetric, `undefined` when nothing stays live) and the
 * live dots of what a key holds. A small side (a delta) changes only its own keys
 * and the keys holding dots its context has seen; those are found through an index
 * of the large side's dots, kept per entries map and carried forward, so a merge
 * costs O(|small| log n). Otherwise every key is visited. Entries the join leaves
 * unchanged are shared. The caller merges the contexts.
 *
 * @typeParam S - what a key holds
 * @param a - one state
 * @param b - another
 * @param join - the join of what one key holds on both sides (`undefined` where a side holds nothing)
 * @param dots - the live dots of what a key holds, as `[replica, counter]` pairs
 * @returns the joined entries
 *
 * @example
 * ```ts
 * import { asReplicaId, PersistentMap } from '@convergent/core';
 * import { DotContext, mergeKeyed } from '@convergent/version-vector';
 *
 * // Each key holds one dot of replica `a`, stored as its counter.
 * const a = asReplicaId('a');
 * const context = DotContext.fromDots([{ replica: a, counter: 1 }]);
 * const live = { entries: PersistentMap.empty<number>().set('x', 1), context };
 * const removed = { entries: PersistentMap.empty<number>(), context };
 * // A dot stays if the other side holds it too or has never seen it.
 * const stays = (d: number | undefined, other: number | undefined, seen: DotContext) =>
 *   d !== undefined && (d === other || !DotContext.has(seen, { replica: a, counter: d }));
 * const join = (p: number | undefined, cp: DotContext, q: number | undefined, cq: DotContext) =>
 *   stays(p, q, cq) ? p : stays(q, p, cp) ? q : undefined;
 * mergeKeyed(live, removed, join, (d) => [[a, d]]).size; // => 0
 * ```
 */
export function mergeKeyed<S>(
  a: KeyedDots<S>,
  b: KeyedDots<S>,
  join: (x: S | undefined, cx: DotContext, y: S | undefined, cy: DotContext) => S | undefined,
  dots: (held: S) => Iterable<readonly [ReplicaId, number]>,
): PersistentMap<S> {
  const [big, small] = a.entries.size < b.entries.size ? [b, a] : [a, b];
  const bigIndex = small.entries.size + dotCount(small.context) < big.entries.size >> 3 ? indexOf(big.entries, dots) : undefined;
  let index = bigIndex;
  let entries = big.entries;
  const visit = (key: string) => {
    const held = big.entries.get(key);
    const kept = join(held, big.context, small.entries.get(key), small.context);
    if (kept === held) return;
    entries = kept === undefined ? entries.delete(key) : entries.set(key, kept);
    if (index) {
      for (const [replica, counter] of held === undefined ? [] : dots(held)) index = index.delete(dotId(replica, counter));
      for (const [replica, counter] of kept === undefined ? [] : dots(kept)) index = index.set(dotId(replica, counter), key);
    }
  };
  for (const key of small.entries.keys()) visit(key);
  if (!bigIndex) for (const key of big.entries.keys()) visit(key);
  else
    for (const [replica, counter] of dotsIn(small.context)) {
      const key = bigIndex.get(dotId(replica, counter));
      if (key !== undefined && !small.entries.has(key)) visit(key);
    }
  if (index) indexes.set(entries as PersistentMap<unknown>, index);
  return entries;
}

function indexOf<S>(entries: PersistentMap<S>, dots: (held: S) => Iterable<readonly [ReplicaId, number]>): PersistentMap<string> {
  let index = indexes.get(entries as PersistentMap<unknown>);
  if (!index) {
    index = PersistentMap.empty();
    for (const [key, held] of entries) for (const [replica, counter] of dots(held)) index = index.set(dotId(replica, counter), key);
    indexes.set(entries as PersistentMap<unknown>, index);
  }
  return index;
}
