import { asReplicaId } from '@convergent/core';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as RGA from '../src/index.js';

const [a, b] = [asReplicaId('a'), asReplicaId('b')];
// Random edits of text and other values, each applicable to any state.
const edit = fc.record({ at: fc.nat(), text: fc.string({ unit: fc.constantFrom('a', 'é', '😀', 'x'), maxLength: 3 }), values: fc.boolean(), del: fc.nat(3) });
const apply = (doc: RGA.RGA, op: { at: number; text: string; values: boolean; del: number }, r: typeof a): RGA.RGA => {
  const n = RGA.length(doc);
  if (op.del > 0 && n > 0) return RGA.deleteAt(doc, r, op.at % n, Math.min(op.del, n - (op.at % n)));
  return op.values ? RGA.insertAt(doc, r, op.at % (n + 1), [op.del, { k: op.text }]) : RGA.insertText(doc, r, op.at % (n + 1), op.text || 'q');
};
const make = (text: string, replica = a): RGA.RGA => RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, replica, 0, text));

describe('by id', () => {
  test('effectOf reads deleted values from the state before, astral characters included', () => {
    const doc = make('hello wörld 😀!');
    const cut = RGA.deleteText(doc, a, 3, 10);
    const { inserted, deleted } = RGA.effectOf(doc, cut);
    expect(inserted).toEqual([]);
    expect(deleted.map((e) => e.value).join('')).toBe('lo wörld 😀');
    expect(deleted.map((e) => RGA.indexOf(doc, e.id))).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('reinsert puts text back where it was, keeping a remote insert made inside the gap', () => {
    let doc = make('hello world');
    const cut = RGA.deleteText(doc, a, 3, 5);
    const { deleted } = RGA.effectOf(doc, cut);
    doc = RGA.merge(doc, cut);
    doc = RGA.merge(doc, RGA.insertText(doc, b, 3, 'XY'));
    const { delta, inserted: ids } = RGA.reinsert(doc, a, deleted);
    doc = RGA.merge(doc, delta);
    expect(RGA.text(doc)).toBe('helXYlo world');
    expect(ids.map((id) => RGA.indexOf(doc, id!))).toEqual([5, 6, 7, 8, 9]);
  });

  test('reinsert restores runs separated by surviving text as separate runs', () => {
    let doc = make('abcdef');
    const cut = RGA.edit(doc, a, (e) => {
      e.deleteText(4, 1);
      e.deleteText(1, 2);
    });
    const { deleted } = RGA.effectOf(doc, cut.delta);
    doc = cut.state;
    expect(RGA.text(doc)).toBe('adf');
    doc = RGA.merge(doc, RGA.reinsert(doc, a, deleted).delta);
    expect(RGA.text(doc)).toBe('abcdef');
  });

  test('reinsert skips elements that are visible or unknown', () => {
    const doc = make('ab');
    const { delta, inserted: ids } = RGA.reinsert(doc, a, [
      { id: RGA.idAt(doc, 0), value: 'a' },
      { id: { replica: b, counter: 9 }, value: 'z' },
    ]);
    expect(RGA.equals(delta, RGA.bottom)).toBe(true);
    expect(ids).toEqual([undefined, undefined]);
  });

  test('deleteIds deletes only visible targets and is a no-op for the rest', () => {
    let doc = make('abc');
    const ids = [RGA.idAt(doc, 0), RGA.idAt(doc, 2)];
    doc = RGA.merge(doc, RGA.deleteText(doc, b, 0, 1));
    doc = RGA.merge(doc, RGA.deleteIds(doc, a, [...ids, { replica: b, counter: 5 }]));
    expect(RGA.text(doc)).toBe('b');
    expect(RGA.equals(RGA.deleteIds(doc, a, ids), RGA.bottom)).toBe(true);
  });

  test('caretAfter: -1 for an unknown element', () => {
    expect(RGA.caretAfter(make('x'), { replica: b, counter: 1 })).toBe(-1);
  });

  test('property: delete, then reinsert of the deleted elements, restores the text on any reachable state', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 12 }), fc.nat(), fc.nat(), (ops, at, count) => {
        let doc = RGA.bottom;
        ops.forEach((op, i) => (doc = RGA.merge(doc, apply(doc, op, i % 2 ? a : b))));
        const n = RGA.length(doc);
        if (n === 0) return;
        const from = at % n;
        const cut = RGA.deleteAt(doc, b, from, 1 + (count % (n - from)));
        const before = RGA.toArray(doc);
        const { deleted, inserted } = RGA.effectOf(doc, cut);
        expect(inserted).toEqual([]);
        const after = RGA.merge(doc, cut);
        const back = RGA.merge(after, RGA.reinsert(after, a, deleted).delta);
        expect(RGA.toArray(back)).toEqual(before);
        // deleting by id is the same as deleting by index
        const again = RGA.merge(doc, RGA.deleteIds(doc, a, deleted.map((e) => e.id)));
        expect(RGA.toArray(again)).toEqual(RGA.toArray(after));
      }),
    );
  });
});

test('reinsert after the element just before, deleted or not: restoring two deletions in reverse order rebuilds the order', () => {
  let doc = make('12673');
  const first = RGA.deleteText(doc, a, 1, 1); // '2'
  const d1 = RGA.effectOf(doc, first).deleted;
  doc = RGA.merge(doc, first);
  const second = RGA.deleteText(doc, a, 1, 2); // '67'
  const d2 = RGA.effectOf(doc, second).deleted;
  doc = RGA.merge(doc, second);
  doc = RGA.merge(doc, RGA.reinsert(doc, a, d2).delta);
  doc = RGA.merge(doc, RGA.reinsert(doc, a, d1).delta);
  expect(RGA.text(doc)).toBe('12673');
});

test('caretAfterUtf16 counts astral characters as two units, and a deleted one as none', () => {
  let doc = make('a😀b');
  const smile = RGA.idAt(doc, 1);
  expect(RGA.caretAfterUtf16(doc, smile)).toBe(3);
  expect(RGA.caretAfterUtf16(doc, null)).toBe(0);
  doc = RGA.merge(doc, RGA.deleteText(doc, a, 1, 1));
  expect(RGA.caretAfterUtf16(doc, smile)).toBe(1);
  expect(RGA.caretAfterUtf16(doc, { replica: b, counter: 1 })).toBe(-1);
});
