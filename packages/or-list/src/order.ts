// RGA order (Roh et al. 2011), as @convergent/rga orders its elements: every element
// was inserted right after its origin; the elements after one origin are ordered
// newest first (higher stamp, then higher replica id), each followed by its own
// successors. That is a preorder walk of the tree of origins.
//
// The list cannot hold an `RGA` state for this: RGA keeps every position forever,
// while a list's positions are tagged with dots, so that removing the whole list
// (from a map) drops them like any other dot. The order is therefore computed from
// the positions a state holds, with two rules for the positions a reset left out:
// an element whose origin is gone follows the start, and a live element whose own
// position is gone (its list was removed while it was edited) comes last.

/**
 * Where a list element sits: right after the element `after` (`null`: the start),
 * inserted at Lamport time `stamp`.
 *
 * @example
 * ```ts
 * import type { Slot } from '@convergent/or-list';
 *
 * const first: Slot = { after: null, stamp: 1 };
 * first.stamp; // => 1
 * ```
 */
export interface Slot {
  /** The id key of the element it was inserted after, or `null` for the start of the list. */
  readonly after: string | null;
  /** Greater than the stamp of every element its inserter had seen. */
  readonly stamp: number;
}

/** What the order needs of an element: its id, and its position if it still has one. */
export interface Placed {
  readonly replica: string;
  readonly counter: number;
  readonly slot: Slot | undefined;
}

/** Sorts `p` before `q` (negative) if `p` is newer: higher stamp, then higher replica id and counter. */
export const newestFirst = (p: Placed, q: Placed): number =>
  q.slot!.stamp - p.slot!.stamp || (q.replica < p.replica ? -1 : q.replica > p.replica ? 1 : q.counter - p.counter);
const byId = (p: Placed, q: Placed): number => (p.replica < q.replica ? -1 : p.replica > q.replica ? 1 : p.counter - q.counter);

/**
 * The keys of `entries` in list order: every element with a position in RGA
 * order, then the live elements without one, by id.
 */
export function orderOf<E extends Placed>(entries: Iterable<readonly [string, E]>, all: { get(key: string): E | undefined }): string[] {
  const children = new Map<string | null, Array<[string, E]>>();
  const loose: Array<[string, E]> = [];
  for (const [key, e] of entries) {
    if (!e.slot) {
      loose.push([key, e]);
      continue;
    }
    // The origin must be placed and older; otherwise (a reset dropped it, or the
    // input is hostile) the element follows the start, so the walk has no cycle.
    const origin = e.slot.after === null ? undefined : all.get(e.slot.after)?.slot;
    const parent = origin && origin.stamp < e.slot.stamp ? e.slot.after : null;
    let siblings = children.get(parent);
    if (!siblings) children.set(parent, (siblings = []));
    siblings.push([key, e]);
  }
  const out: string[] = [];
  const stack: Array<[string, E]> = [...(children.get(null) ?? [])].sort((p, q) => newestFirst(q[1], p[1]));
  while (stack.length > 0) {
    const [key] = stack.pop()!;
    out.push(key);
    const next = children.get(key);
    if (next) stack.push(...[...next].sort((p, q) => newestFirst(q[1], p[1])));
  }
  loose.sort((p, q) => byId(p[1], q[1]));
  for (const [key] of loose) out.push(key);
  return out;
}

/** What {@link orderOf} and {@link placeInto} keep per state. */
export interface Order {
  /** The keys in list order. */
  readonly order: readonly string[];
  /** The origins named by positions that the state does not hold placed: their arrival would move those elements. */
  readonly waiting: ReadonlySet<string>;
}

/** The origins `entries` name but do not hold with a position. */
export function waitingOf<E extends Placed>(entries: Iterable<E>, all: { get(key: string): E | undefined }): Set<string> {
  const out = new Set<string>();
  for (const e of entries) if (e.slot?.after != null && !all.get(e.slot.after)?.slot) out.add(e.slot.after);
  return out;
}

/**
 * `known` with the placed elements `added` put in, as {@link orderOf} would put
 * them, or `undefined` if an element already held was waiting for one of them (it
 * moves: compute afresh). Each goes right after its origin, past the newer
 * siblings and their successors (all newer than it, as a successor is newer than
 * its origin): O(elements skipped) once the origin is found, no sort.
 */
export function placeInto<E extends Placed>(known: Order, added: readonly (readonly [string, E])[], all: { get(key: string): E | undefined }): Order | undefined {
  if (added.some(([key]) => known.waiting.has(key))) return undefined;
  const order = known.order.slice();
  let waiting = known.waiting;
  // Oldest first, so that an origin added alongside is placed before its successors.
  for (const [key, e] of [...added].sort((p, q) => p[1].slot!.stamp - q[1].slot!.stamp)) {
    const after = e.slot!.after;
    const origin = after === null ? undefined : all.get(after)?.slot;
    if (after !== null && !origin) waiting = new Set(waiting).add(after);
    let i = origin && origin.stamp < e.slot!.stamp ? order.indexOf(after!) + 1 : 0;
    for (; i < order.length; i++) {
      const x = all.get(order[i]!)!;
      if (!x.slot || newestFirst(x, e) >= 0) break;
    }
    order.splice(i, 0, key);
  }
  return { order, waiting };
}
