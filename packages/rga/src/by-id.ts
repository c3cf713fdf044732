// Edits and queries by element identity rather than by index: what an undo manager
// (or anything that keeps references to elements across remote edits) needs. Each
// function reads the list once, whatever the number of identities it is given.
import { asReplicaId, type JsonValue, type ReplicaId } from '@convergent/core';
import { runsOf } from './pending.js';
import { asDoc, bottom, deltaOf, get, holder, idAt, indexAtUtf16, isChar, mk, positionOf, sequence, slice, storedValue, type ElementId, type Piece, type RGA } from './rga.js';

/**
 * An element together with its value: a deleted element as {@link effectOf} reports
 * it, and as {@link reinsert} takes it back.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { ElementValue } from '@convergent/rga';
 *
 * const gone: ElementValue = { id: { replica: asReplicaId('a'), counter: 1 }, value: 'x' };
 * gone.value; // => 'x'
 * ```
 */
export interface ElementValue {
  /** The element's identity. */
  readonly id: ElementId;
  /** Its value (for text, one character). */
  readonly value: JsonValue;
}

/** Each target's index in `ids`, grouped by replica and sorted by counter. */
function targets(ids: readonly ElementId[]): Map<ReplicaId, Array<readonly [number, number]>> {
  const by = new Map<ReplicaId, Array<readonly [number, number]>>();
  ids.forEach((id, i) => {
    const list = by.get(id.replica);
    if (list === undefined) by.set(id.replica, [[id.counter, i]]);
    else list.push([id.counter, i]);
  });
  for (const list of by.values()) list.sort((x, y) => x[0] - y[0]);
  return by;
}

const follows = (prev: ElementId | null, id: ElementId): boolean => prev !== null && prev.replica === id.replica && prev.counter === id.counter;

/** First index of `sorted` whose value is at least `x`. */
function lowerBound(sorted: ArrayLike<number>, x: number, at: (i: number) => number = (i) => sorted[i]!): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(mid) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Walks the list once and calls `visit` for every target element found: its index in
 * `ids`, its piece and offset there, its rank (a number that orders elements as the
 * list does, deleted ones included), the number of visible elements before it, and the
 * element just before it (deleted or not). Chunks whose counter range holds no target
 * are skipped whole.
 */
function walk(
  state: RGA,
  ids: readonly ElementId[],
  visit: (i: number, p: Piece, k: number, rank: number, before: number, prev: ElementId | null) => void,
): void {
  if (ids.length === 0) return;
  const by = targets(ids);
  const counters = Float64Array.from(ids, (id) => id.counter).sort();
  let before = 0;
  let last: ElementId | null = null;
  const chunks = asDoc(state).chunks;
  for (let ci = 0; ci < chunks.length; ci++) {
    const ch = chunks[ci]!;
    const ps = ch.pieces;
    if (ps.length === 0) continue;
    const first = lowerBound(counters, ch.lo);
    if (first === counters.length || counters[first]! > ch.hi) {
      const p = ps[ps.length - 1]!;
      last = { replica: p.r, counter: p.c + p.n - 1 };
      before += ch.vis;
      continue;
    }
    for (let pi = 0; pi < ps.length; pi++) {
      const p = ps[pi]!;
      const list = by.get(p.r);
      if (list !== undefined) {
        // Rank: chunk, piece, offset (a chunk holds at most a few dozen pieces).
        const rank = (ci * 128 + pi) * 2 ** 26;
        for (let lo = lowerBound(list as unknown as ArrayLike<number>, p.c, (j) => list[j]![0]); lo < list.length && list[lo]![0] < p.c + p.n; lo++) {
          const [c, i] = list[lo]!;
          const k = c - p.c;
          visit(i, p, k, rank + k, before + (p.v === null ? 0 : k), k > 0 ? { replica: p.r, counter: c - 1 } : last);
        }
      }
      last = { replica: p.r, counter: p.c + p.n - 1 };
      if (p.v !== null) before += p.n;
    }
  }
}

/**
 * Where a caret just after an element is now: the number of visible elements up to and
 * including it. A deleted element takes no room, so a caret after it sits where it
 * was, between its surviving neighbours. Anchoring a caret to the element before it
 * (rather than to an index) keeps it in place while remote edits arrive.
 *
 * @param state - a state
 * @param id - an element (deleted or not), or `null` for the start of the list
 * @returns the caret index, from 0 to `length(state)`; -1 when the element is not in the list here
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'abc'));
 * const b = RGA.idAt(doc, 1);
 * RGA.caretAfter(doc, b); // => 2
 * doc = RGA.merge(doc, RGA.deleteText(doc, a, 1, 1));
 * RGA.caretAfter(doc, b); // => 1
 * RGA.caretAfter(doc, null); // => 0
 * ```
 */
export function caretAfter(state: RGA, id: ElementId | null): number {
  if (id === null) return 0;
  const { at, visible } = positionOf(state, id, false);
  return at < 0 || !visible ? at : at + 1;
}

/**
 * {@link caretAfter} in UTF-16 units, as editors and the DOM count: a caret after an
 * astral character (an emoji) is two units past its start.
 *
 * @param state - a state of text
 * @param id - an element (deleted or not), or `null` for the start of the text
 * @returns the caret offset, from 0 to `lengthUtf16(state)`; -1 when the element is not in the list here
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, '😀!');
 * RGA.caretAfterUtf16(doc, RGA.idAt(doc, 0)); // => 2
 * ```
 */
export function caretAfterUtf16(state: RGA, id: ElementId | null): number {
  if (id === null) return 0;
  const { at, visible } = positionOf(state, id, true);
  return at < 0 || !visible ? at : at + String(get(state, positionOf(state, id, false).at)).length;
}

/**
 * The character just before a caret at a UTF-16 offset: the element to anchor the caret
 * to ({@link caretAfterUtf16} finds the caret again), whatever width that character has.
 *
 * @param state - a state of text
 * @param offset - a caret offset, from 0 to `lengthUtf16(state)`
 * @returns the identity of the character before it; `null` at the start of the text
 * @throws RangeError when `offset` is out of range or inside a character
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'a😀');
 * RGA.idBeforeUtf16(doc, 3)!.counter; // => 2
 * RGA.caretAfterUtf16(doc, RGA.idBeforeUtf16(doc, 3)); // => 3
 * RGA.idBeforeUtf16(doc, 0); // => null
 * ```
 */
export function idBeforeUtf16(state: RGA, offset: number): ElementId | null {
  const index = indexAtUtf16(asDoc(state), offset);
  return index === 0 ? null : idAt(state, index - 1);
}

/**
 * What a delta does to the state it is merged into: the elements it adds, and the
 * visible elements it deletes, with their values (read from `before`, since a delta
 * keeps no content for what it deletes).
 *
 * @param before - the state the delta is merged into
 * @param delta - the delta
 * @returns `inserted`: the delta's visible elements that `before` lacks, in the delta's
 *   order; `deleted`: the elements visible in `before` that the delta deletes, in list order
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * const doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'abc'));
 * const { inserted, deleted } = RGA.effectOf(doc, RGA.deleteText(doc, a, 0, 2));
 * [inserted.length, deleted.map((e) => e.value)]; // => [0, ['a', 'b']]
 * RGA.effectOf(doc, RGA.insertText(doc, a, 3, 'd')).inserted.length; // => 1
 * ```
 */
export function effectOf(
  before: RGA,
  delta: RGA,
): {
  /** The elements the delta adds. */
  inserted: ElementId[];
  /** The elements it deletes that were visible, with their values. */
  deleted: ElementValue[];
} {
  const d = asDoc(delta);
  const clock = asDoc(before).clock;
  const held = holder(before);
  const inserted: ElementId[] = [];
  const tombs: ElementId[] = [];
  for (const p of [...sequence(d), ...runsOf(d.waiting)]) {
    if (p.v === null) {
      for (let k = 0; k < p.n; k++) tombs.push({ replica: p.r, counter: p.c + k });
      continue;
    }
    // Counters are Lamport clocks: an element past `before`'s clock is new to it.
    const fresh = p.c > clock || !held(p);
    for (let k = 0; k < p.n && fresh; k++)
      if (p.c + k > clock || !held(slice(p, k, k + 1))) inserted.push(Object.freeze({ replica: p.r, counter: p.c + k }));
  }
  const found: Array<ElementValue & { rank: number }> = [];
  walk(before, tombs, (i, p, k, rank) => {
    if (p.v !== null) found.push({ id: Object.freeze(tombs[i]!), value: p.v[k]!, rank });
  });
  found.sort((x, y) => x.rank - y.rank);
  return { inserted, deleted: found.map(({ id, value }) => Object.freeze({ id, value })) };
}

/**
 * Deletes the given elements, wherever they are now: the delta that marks those of
 * them that are visible deleted. Elements already deleted, or not in `state`, are
 * left alone.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica (validated; deletion creates no new identities)
 * @param ids - the elements to delete
 * @returns the delta (`bottom` when there is nothing to delete)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const [a, b] = [asReplicaId('a'), asReplicaId('b')];
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'hello'));
 * const mine = [RGA.idAt(doc, 0), RGA.idAt(doc, 1)];
 * doc = RGA.merge(doc, RGA.insertText(doc, b, 0, '>> '));
 * doc = RGA.merge(doc, RGA.deleteIds(doc, a, mine));
 * RGA.text(doc); // => '>> llo'
 * ```
 */
export function deleteIds(state: RGA, replica: ReplicaId, ids: readonly ElementId[]): RGA {
  asReplicaId(replica);
  // Per piece, the offsets to delete; then maximal runs of them.
  const offsets = new Map<Piece, number[]>();
  walk(state, ids, (_i, p, k) => {
    if (p.v === null) return;
    const ks = offsets.get(p);
    if (ks === undefined) offsets.set(p, [k]);
    else ks.push(k);
  });
  const tombs: Piece[] = [];
  for (const [p, ks] of offsets) {
    ks.sort((x, y) => x - y);
    for (let s = 0, e = 0; s < ks.length; s = e) {
      for (e = s + 1; e < ks.length && ks[e]! <= ks[e - 1]! + 1; e++);
      const run = slice(p, ks[s]!, ks[e - 1]! + 1);
      tombs.push(mk(run.r, run.c, run.n, run.or, run.oc, null));
    }
  }
  return tombs.length === 0 ? bottom : deltaOf(tombs);
}

/**
 * Inserts deleted elements' values again, under new identities, exactly where the
 * deleted elements are: each run of them that is contiguous in the list (deleted
 * elements included) goes in right after the element just before it, deleted or not,
 * so that restoring several deletions in any order rebuilds the original order. Text
 * other replicas inserted meanwhile keeps its place, and nothing is reordered. This is
 * how an undo restores deleted text; a caret anchored to a deleted element
 * ({@link caretAfter}) ends up at the right edge of the restored run.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica
 * @param elements - deleted elements with the values to restore (from {@link effectOf})
 * @returns the delta, and `inserted`: for each of `elements` its new identity (`undefined`
 *   when it was skipped: still visible, or not in `state`)
 * @throws `InvalidValueError` when a value is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'hello world'));
 * const cut = RGA.deleteText(doc, a, 5, 6);
 * const { deleted } = RGA.effectOf(doc, cut);
 * doc = RGA.merge(doc, cut);
 * const { delta, inserted } = RGA.reinsert(doc, a, deleted);
 * doc = RGA.merge(doc, delta);
 * RGA.text(doc); // => 'hello world'
 * RGA.indexOf(doc, inserted[0]!); // => 5
 * ```
 */
export function reinsert(
  state: RGA,
  replica: ReplicaId,
  elements: readonly ElementValue[],
): {
  /** The delta that inserts them. */
  delta: RGA;
  /** The new identity of each element, by position in `elements`. */
  inserted: Array<ElementId | undefined>;
} {
  asReplicaId(replica);
  const found: Array<{ i: number; rank: number; prev: ElementId | null }> = [];
  walk(
    state,
    elements.map((e) => e.id),
    (i, p, _k, rank, _before, prev) => {
      if (p.v === null) found.push({ i, rank, prev });
    },
  );
  found.sort((x, y) => x.rank - y.rank);
  const ids: Array<ElementId | undefined> = elements.map(() => undefined);
  // New runs are the newest elements: each goes right after its origin.
  const pieces: Piece[] = [];
  let counter = asDoc(state).clock;
  for (let s = 0, e = 0; s < found.length; s = e) {
    // A run: each element right after the one before it in the list.
    for (e = s + 1; e < found.length && follows(found[e]!.prev, elements[found[e - 1]!.i]!.id); e++);
    let origin = found[s]!.prev;
    // One piece per kind of content: text characters, other values.
    for (let j = s; j < e; ) {
      const text = isChar(elements[found[j]!.i]!.value);
      const values: JsonValue[] = [];
      for (; j < e && isChar(elements[found[j]!.i]!.value) === text; j++) {
        const { i } = found[j]!;
        values.push(text ? elements[i]!.value : storedValue(elements[i]!.value));
        ids[i] = Object.freeze({ replica, counter: counter + values.length });
      }
      pieces.push(mk(replica, counter + 1, values.length, origin && origin.replica, origin ? origin.counter : 0, text ? values.join('') : values));
      counter += values.length;
      origin = { replica, counter };
    }
  }
  if (counter > Number.MAX_SAFE_INTEGER) throw new RangeError('counter overflow');
  return { delta: pieces.length === 0 ? bottom : deltaOf(pieces), inserted: ids };
}
