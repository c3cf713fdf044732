// Pure text arithmetic for the binding: what an input event changed, and where a
// position goes when changes are applied before or around it. All in UTF-16 units.
import type { TextChange } from '@convergent/rga';

const isHigh = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * The one replacement that turns `old` into `now`, or undefined when they are equal.
 * The edit is looked for where the element's selection says it was made (`start`,
 * `end`: the selection before the input; `caret`: the selection end after), so that
 * typing between two equal characters inserts where the user typed; when the
 * selection does not explain the change (a script set the value, a drop), the common
 * prefix and suffix decide. Either way the change is minimal (no unchanged unit is
 * replaced), and never splits a surrogate pair.
 *
 * @internal
 */
export function inputChange(old: string, now: string, start: number, end: number, caret: number): TextChange | undefined {
  if (old === now) return undefined;
  const min = Math.min(old.length, now.length);
  let pre = Math.min(start, caret);
  let suf = Math.min(old.length - end, now.length - caret);
  const explained =
    pre >= 0 && suf >= 0 && pre + suf <= min && old.slice(0, pre) === now.slice(0, pre) && old.slice(old.length - suf) === now.slice(now.length - suf);
  if (!explained) pre = suf = 0;
  // Whatever the selection said, keep every unit that did not change (the suffix first:
  // after typing, the caret is at the end of the new text).
  while (pre + suf < min && old.charCodeAt(old.length - 1 - suf) === now.charCodeAt(now.length - 1 - suf)) suf++;
  while (pre + suf < min && old.charCodeAt(pre) === now.charCodeAt(pre)) pre++;
  if (pre > 0 && isHigh(old.charCodeAt(pre - 1))) pre--;
  if (suf > 0 && isLow(old.charCodeAt(old.length - suf))) suf--;
  return { from: pre, to: old.length - suf, insert: now.slice(pre, now.length - suf) };
}

/**
 * Where position `pos` of a text goes when `changes` (sorted, in that text's
 * coordinates) are applied. `assoc` -1 keeps it to the character on its left: text
 * inserted exactly there goes after it, and a position in a replaced range goes before
 * the replacement; `assoc` 1 keeps it to the right.
 *
 * @internal
 */
export function mapPosition(pos: number, changes: readonly TextChange[], assoc: -1 | 1): number {
  let shift = 0;
  for (const c of changes) {
    if (c.from > pos || (c.from === pos && c.to === pos && assoc < 0)) break;
    if (c.to > pos) return c.from + shift + (assoc > 0 ? c.insert.length : 0);
    shift += c.insert.length - (c.to - c.from);
  }
  return pos + shift;
}

/**
 * Line breaks as the element stores them: a textarea turns CR LF and CR into LF, a
 * single-line input drops them.
 *
 * @internal
 */
export const normalizeBreaks = (text: string, multiline: boolean): string => (multiline ? text.replace(/\r\n?/g, '\n') : text.replace(/[\r\n]/g, ''));
