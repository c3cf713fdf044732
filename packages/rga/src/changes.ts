// What a merge did to the text, as the index operations an editor applies. A merge
// reports each visible insert and delete in the coordinates its earlier ones left; this
// turns them into changes in the coordinates of the text before the merge.
import { InvalidValueError, type JsonValue } from '@convergent/core';

/**
 * One replacement in a text, in UTF-16 offsets: the units `[from, to)` of the text are
 * replaced by `insert`. A list of them, sorted by `from` and non-overlapping, all refer
 * to the same text (the one before any of them): the shape CodeMirror's
 * `dispatch({ changes })` takes; a plain string or a `<textarea>` applies them last to
 * first.
 *
 * @example
 * ```ts
 * import type { TextChange } from '@convergent/rga';
 *
 * const change: TextChange = { from: 1, to: 3, insert: '😀' };
 * const text = 'abcd';
 * text.slice(0, change.from) + change.insert + text.slice(change.to); // => 'a😀d'
 * ```
 */
export interface TextChange {
  /** First UTF-16 unit replaced. */
  readonly from: number;
  /** End of the replaced units (exclusive); equal to `from` for a pure insert. */
  readonly to: number;
  /** The inserted text ('' for a pure delete). */
  readonly insert: string;
}

/** A kept range `[from, to)` of the old text, or inserted text. */
type Segment = { readonly from: number; readonly to: number } | string;

const widthOfSegment = (s: Segment): number => (typeof s === 'string' ? s.length : s.to - s.from);
const part = (s: Segment, a: number, b: number): Segment => (typeof s === 'string' ? s.slice(a, b) : { from: s.from + a, to: s.from + b });

// Beyond this many operations composing them (quadratic) costs more than diffing the texts.
const MAX_OPS = 128;

/** @internal The text operations of one merge, in the order it made them. */
export class ChangeLog {
  /** The text as kept ranges of the old text and inserted strings; undefined once too long. */
  private segments: Segment[] | undefined;
  private ops = 0;

  /** @param length - UTF-16 length of the text before the merge */
  constructor(private readonly length: number) {
    this.segments = length > 0 ? [{ from: 0, to: length }] : [];
  }

  /** Whether the log gave up (too many operations): the caller diffs the texts instead. */
  get overflowed(): boolean {
    return this.segments === undefined;
  }

  /** Gives up: the caller diffs the texts. */
  overflow(): void {
    this.segments = undefined;
  }

  /** Records that `del` units at `at` (in the current text) were replaced by `ins`. */
  record(at: number, del: number, ins: string): void {
    const segs = this.segments;
    if (segs === undefined || (del === 0 && ins === '')) return;
    if (++this.ops > MAX_OPS) return this.overflow();
    const i = cut(segs, at);
    const j = cut(segs, at + del);
    if (ins === '') segs.splice(i, j - i);
    else segs.splice(i, j - i, ins);
  }

  /** The changes, in the coordinates of the text before the merge. */
  changes(): TextChange[] {
    const out: TextChange[] = [];
    let kept = 0;
    let insert = '';
    for (const s of this.segments ?? []) {
      if (typeof s === 'string') insert += s;
      else {
        if (s.from > kept || insert !== '') out.push({ from: kept, to: s.from, insert });
        kept = s.to;
        insert = '';
      }
    }
    if (this.length > kept || insert !== '') out.push({ from: kept, to: this.length, insert });
    return out;
  }
}

/** Splits the segments at `pos`: the index of the first segment after it. */
function cut(segs: Segment[], pos: number): number {
  let i = 0;
  for (; i < segs.length && pos > 0; i++) {
    const s = segs[i]!;
    const w = widthOfSegment(s);
    if (pos < w) {
      segs.splice(i, 1, part(s, 0, pos), part(s, pos, w));
      return i + 1;
    }
    pos -= w;
  }
  return i;
}

/** @internal Text values as one string (a merge's inserted run). */
export function textOf(values: string | readonly JsonValue[]): string {
  if (typeof values === 'string') return values;
  let s = '';
  for (const v of values) {
    if (typeof v !== 'string') throw new InvalidValueError('an element is not a string');
    s += v;
  }
  return s;
}

const isHigh = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** @internal The one change that turns `a` into `b` (or none): common prefix and suffix, never splitting a surrogate pair. */
export function diffText(a: string, b: string): TextChange[] {
  if (a === b) return [];
  const max = Math.min(a.length, b.length);
  let pre = 0;
  while (pre < max && a.charCodeAt(pre) === b.charCodeAt(pre)) pre++;
  if (pre > 0 && isHigh(a.charCodeAt(pre - 1))) pre--;
  let suf = 0;
  while (suf < max - pre && a.charCodeAt(a.length - 1 - suf) === b.charCodeAt(b.length - 1 - suf)) suf++;
  if (suf > 0 && isLow(a.charCodeAt(a.length - suf))) suf--;
  return [{ from: pre, to: a.length - suf, insert: b.slice(pre, b.length - suf) }];
}
