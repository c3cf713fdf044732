// Carets anchored to characters follow the text through inserts and deletes, in
// UTF-16 offsets, with characters outside the Basic Multilingual Plane.
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { anchorAt, offsetOf, selectionAt, selectionOffsets } from '../src/index.js';

const me = asReplicaId('me');
const other = asReplicaId('other');
const chars = fc.constantFrom('a', 'b', 'é', '😀', '𝄞', '\n');
const text = fc.array(chars, { maxLength: 12 }).map((cs) => cs.join(''));
/** The offsets of a text that are not inside a surrogate pair. */
const boundaries = (s: string) => [0, ...[...s].map((_, i) => [...s].slice(0, i + 1).join('').length)];

describe('anchors', () => {
  test('anchorAt and offsetOf round-trip at every character boundary; inside a pair means after it', () => {
    fc.assert(
      fc.property(text, (s) => {
        const doc = RGA.insertText(RGA.bottom, me, 0, s);
        for (const k of boundaries(s)) expect(offsetOf(doc, anchorAt(doc, k))).toBe(k);
        if (s.includes('😀')) expect(offsetOf(doc, anchorAt(doc, s.indexOf('😀') + 1))).toBe(s.indexOf('😀') + 2);
      }),
    );
  });

  test('an insert before the caret moves it along; an insert at or after it leaves it', () => {
    fc.assert(
      fc.property(text, text, fc.nat(), fc.nat(), (s, insert, caretAt, insertAt) => {
        const doc = RGA.insertText(RGA.bottom, me, 0, s);
        const bs = boundaries(s);
        const k = bs[caretAt % bs.length]!;
        const j = bs[insertAt % bs.length]!;
        const caret = anchorAt(doc, k);
        // Someone else inserts, concurrently with the caret being set.
        const after = RGA.merge(doc, RGA.insertTextUtf16(doc, other, j, insert));
        expect(offsetOf(after, caret)).toBe(j < k ? k + insert.length : k);
      }),
    );
  });

  test('a delete before the caret moves it back; a delete around it leaves it where its character was', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), fc.nat(), (s, caretAt, from, count) => {
        const doc = RGA.insertText(RGA.bottom, me, 0, s);
        const bs = boundaries(s);
        const k = bs[caretAt % bs.length]!;
        const i = from % bs.length;
        const j = bs[i]!;
        const end = bs[Math.min(bs.length - 1, i + (count % 4))]!;
        const caret = anchorAt(doc, k);
        const after = RGA.merge(doc, RGA.deleteTextUtf16(doc, other, j, end - j));
        expect(offsetOf(after, caret)).toBe(k <= j ? k : k >= end ? k - (end - j) : j);
      }),
    );
  });

  test('an anchor whose character has not arrived has no offset; out-of-range offsets are RangeErrors', () => {
    const doc = RGA.insertText(RGA.bottom, me, 0, 'hi');
    const elsewhere = RGA.insertText(RGA.bottom, other, 0, 'x');
    const selection = selectionAt(elsewhere, 0, 1);
    expect(offsetOf(doc, selection.head)).toBeUndefined();
    expect(selectionOffsets(doc, selection)).toBeUndefined();
    expect(selectionOffsets(doc, selectionAt(doc, 2, 0))).toEqual({ anchor: 2, head: 0 });
    expect(() => anchorAt(doc, 3)).toThrow(RangeError);
    expect(() => anchorAt(doc, -1)).toThrow(RangeError);
    expect(() => anchorAt(doc, 0.5)).toThrow(RangeError);
  });
});
