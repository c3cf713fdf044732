import { asReplicaId, MergeRejectedError, type ReplicaId } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORList from '@convergent/or-list';
import * as ORMap from '@convergent/or-map';
import * as RGA from '@convergent/rga';
import * as Struct from '@convergent/struct';
import { describe, expect, test } from 'vitest';
import * as NestedText from '../src/index.js';

// Hostile peers, with text nested in a struct in a list in a map.
const [ann, ben] = [asReplicaId('ann'), asReplicaId('ben')];
const Item = Struct.of({ done: ORMap.register, notes: NestedText.kind });
const Items = ORList.of(Item);
const Boards = ORMap.of(Items);
type Board = typeof Boards.bottom;

// A delta that edits the notes of the first item of board `b` with `edit`, as `by`.
const editNotes = (s: Board, by: ReplicaId, edit: (doc: RGA.RGA, r: ReplicaId) => RGA.RGA) =>
  Boards.update(s, by, 'b', (items, me) => Items.update(items, me, 0, (item, me2) => Item.update(item, me2, 'notes', (t, me3) => NestedText.change(t, me3, edit))));

const start = (): Board => {
  const s = Boards.merge(Boards.bottom, Boards.update(Boards.bottom, ann, 'b', (items, me) => Items.insert(items, me, 0, (item, me2) => Item.update(item, me2, 'done', (v, me3) => MVRegister.set(v, me3, false)))));
  return Boards.merge(s, editNotes(s, ann, (doc, r) => RGA.insertText(doc, r, 0, 'hi')));
};

describe('authors names the inserters of embedded text', () => {
  test('an honest edit names its editor alone', () => {
    const s = start();
    expect([...Boards.authors(editNotes(s, ben, (doc, r) => RGA.insertText(doc, r, 2, '!')))]).toEqual(['ben']);
  });

  test("a delta that makes text under another replica's ids names that replica", () => {
    const s = start();
    const forged = editNotes(s, ben, (doc) => RGA.insertText(doc, ann, 2, ' from ann'));
    expect([...Boards.authors(forged)].sort()).toEqual(['ann', 'ben']);
    expect([...Items.authors(Boards.get(forged, 'b'))].sort()).toEqual(['ann', 'ben']);
  });
});

describe('validateMerge reads counters nested inside values', () => {
  test('an RGA element counter at the end of the range, in text in a list in a map', () => {
    const s = start();
    const hostile = editNotes(s, ben, () => RGA.fromJSON({ runs: [['evil', Number.MAX_SAFE_INTEGER - 1, null, 'x']], pending: [] }));
    const before = Boards.encode(s);
    expect(() => Boards.validateMerge(s, hostile)).toThrow(MergeRejectedError);
    expect(Boards.encode(s)).toEqual(before);
  });

  test('a list position stamp at the end of the range, at the top and nested', () => {
    const s = start();
    const items = Boards.get(s, 'b');
    const json = Items.toJSON(Items.insert(items, ben, 1)) as { context: unknown; entries: [string, number, [unknown, number], boolean, unknown][] };
    json.entries[0]![2][1] = Number.MAX_SAFE_INTEGER;
    const hostile = Items.fromJSON(json);
    expect(() => Items.validateMerge(items, hostile)).toThrow(MergeRejectedError);
    // What the check prevents: the next insert after the merge would stamp past the safe range.
    const merged = Items.merge(items, hostile);
    const next = Items.insert(merged, ann, 0);
    expect(Number.isSafeInteger([...next.entries.values()][0]!.slot!.stamp)).toBe(false);
    const inMap = Boards.fromJSON({ context: json.context, entries: [['b', json.entries]] });
    expect(() => Boards.validateMerge(s, inMap)).toThrow(MergeRejectedError);
  });

  test('honest deltas and states pass', () => {
    const s = start();
    Boards.validateMerge(s, editNotes(s, ben, (doc, r) => RGA.insertText(doc, r, 0, 'ok')));
    Boards.validateMerge(Boards.bottom, s);
    expect(Boards.equals(Boards.merge(Boards.bottom, s), s)).toBe(true);
  });
});
