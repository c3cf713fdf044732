// Text in the offsets browsers and editors use: UTF-16 code units. The list counts
// elements (a text element is a code point), so a character outside the Basic
// Multilingual Plane is one element but two units; these functions convert, and refuse
// an offset between the two halves of a surrogate pair.
import type { ReplicaId } from '@convergent/core';
import { ChangeLog, diffText, type TextChange } from './changes.js';
import { deleteAt, idAt, indexAtUtf16, insertText, mergeInto, positionOf, rangeUtf16, text, type Doc, type ElementId, type RGA } from './rga.js';

/**
 * The text's length in UTF-16 code units: `text(state).length`, without building the
 * text. (A non-string element of a list counts one unit.)
 *
 * @param state - a state
 * @returns its length in UTF-16 units
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hi 😀');
 * RGA.length(doc); // => 4
 * RGA.lengthUtf16(doc); // => 5
 * ```
 */
export function lengthUtf16(state: RGA): number {
  return (state as Doc).u16;
}

/**
 * {@link insertText} at a UTF-16 offset, as a `<textarea>`'s `selectionStart` or
 * CodeMirror counts: the delta that inserts `text` there.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica
 * @param offset - where to insert, from 0 to `lengthUtf16(state)`
 * @param text - the text (well-formed: no lone surrogates)
 * @returns the delta
 * @throws RangeError when `offset` is out of range or between the two halves of a surrogate pair
 * @throws `InvalidValueError` when `text` is not a well-formed string
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'hi 😀'));
 * doc = RGA.merge(doc, RGA.insertTextUtf16(doc, a, 5, ' ok'));
 * RGA.text(doc); // => 'hi 😀 ok'
 * ```
 */
export function insertTextUtf16(state: RGA, replica: ReplicaId, offset: number, text: string): RGA {
  return insertText(state, replica, indexAtUtf16(state as Doc, offset), text);
}

/**
 * {@link deleteText} in UTF-16 units: the delta that deletes the units
 * `[offset, offset + length)`, which must hold whole characters.
 *
 * @param state - the replica's current state
 * @param replica - the acting replica
 * @param offset - the first unit to delete
 * @param length - how many units; `offset + length` must not pass `lengthUtf16(state)`
 * @returns the delta
 * @throws RangeError when the range is out of bounds or an end is between the two halves of a surrogate pair
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'hi 😀'));
 * doc = RGA.merge(doc, RGA.deleteTextUtf16(doc, a, 0, 5));
 * RGA.text(doc); // => ''
 * ```
 */
export function deleteTextUtf16(state: RGA, replica: ReplicaId, offset: number, length: number): RGA {
  const [from, to] = rangeUtf16(state as Doc, offset, length);
  return deleteAt(state, replica, from, to - from);
}

/**
 * The identity of the character that starts at a UTF-16 offset: anchor a caret or a
 * selection end to it, and find it again with {@link offsetOfUtf16}.
 *
 * @param state - a state
 * @param offset - from 0 to `lengthUtf16(state) - 1`
 * @returns the element's identity
 * @throws RangeError when `offset` is out of range or between the two halves of a surrogate pair
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, '😀!');
 * RGA.idAtUtf16(doc, 2).counter; // => 2
 * ```
 */
export function idAtUtf16(state: RGA, offset: number): ElementId {
  const d = state as Doc;
  if (offset === d.u16) throw new RangeError(`offset ${String(offset)} is out of range 0..${String(d.u16 - 1)}`);
  return idAt(state, indexAtUtf16(d, offset));
}

/**
 * Where an element is now, in UTF-16 units. A deleted element answers the offset where
 * it was, which is the offset of the next visible character (or the text's length), so a
 * caret anchored to it stays in place when the character goes.
 *
 * @param state - a state
 * @param id - an element identity, from {@link idAtUtf16} or `idAt`
 * @returns its offset, or -1 when the element is not in the list here (not yet received, or its origin has not arrived)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'ab'));
 * const b = RGA.idAtUtf16(doc, 1);
 * doc = RGA.merge(doc, RGA.insertTextUtf16(doc, a, 0, '😀'));
 * RGA.offsetOfUtf16(doc, b); // => 3
 * doc = RGA.merge(doc, RGA.deleteTextUtf16(doc, a, 3, 1));
 * RGA.offsetOfUtf16(doc, b); // => 3
 * ```
 */
export function offsetOfUtf16(state: RGA, id: ElementId): number {
  return positionOf(state, id, true).at;
}

/**
 * What merging `delta` into `before` does to the text, as index operations in UTF-16
 * units of the text before the merge: sorted by `from`, non-overlapping, so that an
 * editor applies a remote delta as a minimal edit instead of reading the whole text.
 * CodeMirror takes the list as it is (`view.dispatch({ changes })`); a string or a
 * `<textarea>` applies it last to first.
 *
 * The cost follows the delta, not the document (a one-character delta on a 100,000-
 * character text takes microseconds). A delta with many separate changes (more than
 * 128), or with more runs than `before` (a whole remote state arriving at a new
 * replica), gives one change found by comparing the two texts, which reads both.
 *
 * @param before - the state the delta is merged into
 * @param delta - any state: a delta, or a whole state from a peer
 * @returns the changes; applied to `text(before)` they give `text(merge(before, delta))`
 * @throws `InvalidValueError` when an element touched is not a string
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 *
 * const a = asReplicaId('a');
 * const b = asReplicaId('b');
 * const doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, '😀 hello'));
 * const { delta } = RGA.edit(doc, b, (e) => {
 *   e.deleteTextUtf16(3, 5);
 *   e.insertTextUtf16(3, 'world');
 * });
 * RGA.changesUtf16(doc, delta); // => [{ from: 3, to: 8, insert: 'world' }]
 * ```
 */
export function changesUtf16(before: RGA, delta: RGA): TextChange[] {
  const d = before as Doc;
  const log = new ChangeLog(d.u16);
  const after = mergeInto(d, delta as Doc, log);
  return log.overflowed ? diffText(text(before), text(after)) : log.changes();
}
