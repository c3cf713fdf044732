import * as RGA from '@convergent/rga';
import type { Anchor, Selection } from './state.js';

/**
 * The {@link Anchor} of a UTF-16 offset in a text: the character just before it, or
 * `null` at offset 0. An offset inside a surrogate pair counts as the end of the pair.
 *
 * @param state - the text
 * @param offset - from 0 to `RGA.lengthUtf16(state)`
 * @returns the anchor
 * @throws RangeError when `offset` is out of range
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { anchorAt, offsetOf } from '@convergent/presence';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.insertText(RGA.bottom, a, 0, '😀b');
 * const caret = anchorAt(doc, 2); // after the emoji
 * doc = RGA.merge(doc, RGA.insertTextUtf16(doc, a, 0, 'xy'));
 * offsetOf(doc, caret); // => 4
 * anchorAt(doc, 0); // => null
 * ```
 */
export function anchorAt(state: RGA.RGA, offset: number): Anchor {
  if (!(Number.isSafeInteger(offset) && offset >= 0 && offset <= RGA.lengthUtf16(state)))
    throw new RangeError(`offset ${String(offset)} is out of range 0..${RGA.lengthUtf16(state)}`);
  if (offset === 0) return null;
  try {
    return RGA.idAtUtf16(state, offset - 1);
  } catch {
    // offset - 1 is the second half of a surrogate pair: the pair starts one before.
    return RGA.idAtUtf16(state, offset - 2);
  }
}

/**
 * Where an {@link Anchor} is now, as a UTF-16 offset: just after its character, or
 * where the character was if it has been deleted (the offset of the next character
 * left). `undefined` when the character has not arrived here yet (its insert is still
 * on the way): show no caret for it until it does.
 *
 * @param state - the text
 * @param anchor - from {@link anchorAt}, or a peer's {@link Selection}
 * @returns the offset, from 0 to `RGA.lengthUtf16(state)`, or `undefined`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { anchorAt, offsetOf } from '@convergent/presence';
 *
 * const a = asReplicaId('a');
 * let doc = RGA.insertText(RGA.bottom, a, 0, 'abc');
 * const afterB = anchorAt(doc, 2);
 * doc = RGA.merge(doc, RGA.deleteTextUtf16(doc, a, 1, 1)); // 'ac'
 * offsetOf(doc, afterB); // => 1
 * offsetOf(doc, { replica: asReplicaId('z'), counter: 9 }); // => undefined
 * ```
 */
export function offsetOf(state: RGA.RGA, anchor: Anchor): number | undefined {
  if (anchor === null) return 0;
  const at = RGA.offsetOfUtf16(state, anchor);
  if (at < 0) return undefined;
  const index = RGA.indexOf(state, anchor);
  return index < 0 ? at : at + (RGA.get(state, index) as string).length;
}

/**
 * A {@link Selection} from UTF-16 offsets, as an editor reports it.
 *
 * @param state - the text
 * @param anchor - where the selection started
 * @param head - where it ends (the caret; default `anchor`)
 * @returns the selection, anchored to characters
 * @throws RangeError when an offset is out of range
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { selectionAt, selectionOffsets } from '@convergent/presence';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hello');
 * selectionOffsets(doc, selectionAt(doc, 1, 4)); // => { anchor: 1, head: 4 }
 * ```
 */
export function selectionAt(state: RGA.RGA, anchor: number, head = anchor): Selection {
  return { anchor: anchorAt(state, anchor), head: anchorAt(state, head) };
}

/**
 * Where a {@link Selection} is now, in UTF-16 offsets; `undefined` while either end's
 * character has not arrived.
 *
 * @param state - the text
 * @param selection - a peer's selection
 * @returns the offsets of its anchor and head, or `undefined`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { selectionOffsets } from '@convergent/presence';
 *
 * const doc = RGA.insertText(RGA.bottom, asReplicaId('a'), 0, 'hi');
 * selectionOffsets(doc, { anchor: null, head: RGA.idAtUtf16(doc, 1) }); // => { anchor: 0, head: 2 }
 * ```
 */
export function selectionOffsets(
  state: RGA.RGA,
  selection: Selection,
):
  | {
      /** The offset of the selection's anchor. */
      anchor: number;
      /** The offset of its head (the caret). */
      head: number;
    }
  | undefined {
  const anchor = offsetOf(state, selection.anchor);
  const head = offsetOf(state, selection.head);
  return anchor === undefined || head === undefined ? undefined : { anchor, head };
}
