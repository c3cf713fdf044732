import { ensureHeadroom, type ReplicaId } from '@convergent/core';
import { runsOf } from './pending.js';
import { asDoc, holder, sequence, type Doc, type Piece, type RGA } from './rga.js';

function* pieces(d: Doc): Generator<Piece> {
  yield* sequence(d);
  yield* runsOf(d.waiting);
}

/**
 * The replicas whose elements `delta` creates: the inserting replica of every
 * element it holds with content. Tombstones are left out: deleting another
 * replica's element is a legitimate edit. An `insertAt`/`insertText` delta names
 * only the inserting replica; a `deleteAt` delta names none; an `edit` delta names
 * the editing replica if it inserts. O(pieces of `delta`).
 *
 * Given the receiver's `state`, a tombstone of an element `state` does not hold
 * counts too: merged, it would create that element, at a place of the sender's
 * choosing, and a forged tombstone under another replica's next id forks the
 * document for good (that replica's later text lands elsewhere on the receiver).
 * Pass `state` whenever you can: each tombstone piece then costs a search in
 * `state` (a few chunks, not O(`state`)).
 *
 * @param delta - a delta or state
 * @param state - the receiver's state (optional)
 * @returns the authoring replica ids, as a new set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const [a, b] = [asReplicaId('a'), asReplicaId('b')];
 * const doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'hi'));
 * [...RGA.authors(RGA.insertText(doc, b, 2, '!'))]; // => ['b']
 * RGA.authors(RGA.deleteAt(doc, b, 0), doc).size; // => 0
 * // A tombstone under a's next id, which the receiver has never seen:
 * const forged = RGA.fromJSON({ runs: [], pending: [['a', 3, ['a', 1], 1]] });
 * RGA.authors(forged).size; // => 0
 * [...RGA.authors(forged, doc)]; // => ['a']
 * ```
 */
export function authors(delta: RGA, state?: RGA): ReadonlySet<ReplicaId> {
  const out = new Set<ReplicaId>();
  const holds = state === undefined ? undefined : holder(state);
  for (const p of pieces(asDoc(delta)))
    if (!out.has(p.r) && (p.v !== null || (holds !== undefined && !holds(p)))) out.add(p.r);
  return out;
}

/**
 * Throws unless the receiver can still insert after merging `delta`: the largest
 * element counter `delta` holds (its clock) may not come within the delta's own
 * size (its number of elements, tombstones included) of
 * `Number.MAX_SAFE_INTEGER` (`ensureHeadroom` of `@convergent/core`). Otherwise
 * every later insert would throw "counter overflow", on every replica that merged
 * it. `state`'s clock was accepted before and merge takes the larger, so only
 * `delta` is read: O(1) unless its clock is near the end of the range (then
 * O(pieces of `delta`) to count its size), never O(`state`).
 *
 * @param state - the receiver's state
 * @param delta - the untrusted delta
 * @throws MergeRejectedError (from `@convergent/core`) otherwise; `state` is untouched
 *
 * @example
 * ```ts
 * import { MergeRejectedError } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const hostile = RGA.fromJSON({ runs: [['evil', Number.MAX_SAFE_INTEGER - 1, null, 'x']], pending: [] });
 * let caught: unknown;
 * try {
 *   RGA.validateMerge(RGA.bottom, hostile);
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof MergeRejectedError; // => true
 * ```
 */
export function validateMerge(state: RGA, delta: RGA): void {
  void state;
  const d = asDoc(delta);
  // A piece's counters lie in 1..clock, so it holds at most `clock` elements: far from
  // the end of the range (every honest state) the size need not be counted.
  if (d.clock * (d.pieceCount + d.waiting.total + 1) < Number.MAX_SAFE_INTEGER - d.clock) return;
  let size = 0;
  for (const p of pieces(d)) size += p.n;
  ensureHeadroom('element counter', d.clock, Math.max(size, 1));
}
