import { asReplicaId, DecodeError, type ReplicaId } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as MVRegister from '@convergent/mv-register';
import * as ORList from '@convergent/or-list';
import * as ORMap from '@convergent/or-map';
import * as Struct from '@convergent/struct';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';
import * as RGA from '@convergent/rga';
import * as NestedText from '../src/index.js';

const [ann, ben] = [asReplicaId('ann'), asReplicaId('ben')];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const Notes = ORMap.of(NestedText.kind);
const type = (at: number, s: string) => (t: NestedText.Text, r: ReplicaId) => NestedText.change(t, r, (doc, r2) => RGA.insertText(doc, r2, at, s));
const erase = (at: number, n: number) => (t: NestedText.Text, r: ReplicaId) => NestedText.change(t, r, (doc, r2) => RGA.deleteText(doc, r2, at, n));

describe('text in a map: a remove concurrent with an edit leaves only the characters the remover had not seen', () => {
  const base = () => Notes.merge(Notes.bottom, Notes.update(Notes.bottom, ann, 'n', type(0, 'milk')));

  test('in either merge order, where they were typed', () => {
    const removed = Notes.remove(base(), ann, 'n');
    const typed = Notes.update(base(), ben, 'n', type(2, '!'));
    const one = Notes.merge(Notes.merge(base(), removed), typed);
    const two = Notes.merge(Notes.merge(base(), typed), removed);
    expect(Notes.equals(one, two)).toBe(true);
    expect(Notes.snapshot(one)).toEqual({ n: '!' });
    // The survivor is text like any other: typing goes on around it.
    const more = Notes.merge(one, Notes.update(one, ann, 'n', type(1, '?')));
    expect(Notes.snapshot(more)).toEqual({ n: '!?' });
  });

  test('a remove that saw every edit hides the key; its RGA positions stay, with no content', () => {
    const s = Notes.merge(base(), Notes.remove(base(), ann, 'n'));
    expect([Notes.has(s, 'n'), Notes.keys(s), Notes.size(s), Notes.snapshot(s)]).toEqual([false, [], 0, {}]);
    const kept = s.entries.get('n')!;
    expect([kept.dots.size, RGA.length(kept.doc), RGA.toJSON(kept.doc).runs]).toEqual([0, 0, [['ann', 1, null, 4]]]);
    // A late edit made before the remove was seen still lands where it was typed.
    const late = Notes.update(base(), ben, 'n', type(4, ' and eggs'));
    expect(Notes.snapshot(Notes.merge(s, late))).toEqual({ n: ' and eggs' });
    // Writing the key again brings it back, with the new text only.
    expect(Notes.snapshot(Notes.merge(s, Notes.update(s, ben, 'n', type(0, 'tea'))))).toEqual({ n: 'tea' });
  });

  test('deletes and snapshots: an unchanged text is the same string', () => {
    let s = Notes.merge(base(), Notes.update(base(), ann, 'm', type(0, 'x')));
    s = Notes.merge(s, Notes.update(s, ben, 'n', erase(0, 2)));
    expect(Notes.snapshot(s)).toEqual({ m: 'x', n: 'lk' });
  });
});

describe('text as a struct field, in a list', () => {
  const Todo = Struct.of({ title: ORMap.register, notes: NestedText.kind });
  const Todos = ORList.of(Todo);
  const titled = (t: typeof Todo.bottom, r: ReplicaId) => Todo.update(t, r, 'title', (v, me) => MVRegister.set(v, me, 'milk'));

  test('a todo removed while its notes are typed in survives with those characters alone, in place', () => {
    let base = Todos.merge(Todos.bottom, Todos.insert(Todos.bottom, ann, 0, titled));
    base = Todos.merge(base, Todos.update(base, ann, 0, (t, r) => Todo.update(t, r, 'notes', type(0, 'skim'))));
    base = Todos.merge(base, Todos.insert(base, ann, 1));
    const removed = Todos.remove(base, ann, 0);
    const typed = Todos.update(base, ben, 0, (t, r) => Todo.update(t, r, 'notes', type(4, ', 2 l')));
    const one = Todos.merge(Todos.merge(base, removed), typed);
    expect(Todos.equals(one, Todos.merge(Todos.merge(base, typed), removed))).toBe(true);
    expect(Todos.snapshot(one)).toEqual([
      { title: [], notes: ', 2 l' },
      { title: [], notes: '' },
    ]);
  });

  test('a todo removed with nothing concurrent is gone', () => {
    let s = Todos.merge(Todos.bottom, Todos.insert(Todos.bottom, ann, 0, (t, r) => Todo.update(t, r, 'notes', type(0, 'skim'))));
    s = Todos.merge(s, Todos.remove(s, ben, 0));
    expect(Todos.snapshot(s)).toEqual([]);
    expect(Todos.length(s)).toBe(0);
  });
});

describe('codecs', () => {
  const sample = () => Notes.merge(Notes.bottom, Notes.update(Notes.bottom, ann, 'n', type(0, 'hi')));

  test('golden vector: binary and JSON', () => {
    // version 1, context {ann: 1}, one key 'n': one edit dot (ann, 1), then the RGA as RGA.write writes it.
    // …then the RGA as RGA.write writes it: ids ['ann'], text 'hi', one run (range-coded).
    expect(hex(Notes.encode(sample()))).toBe('010103616e6e010001016e0100010103616e6e0268690044a0fc000000');
    expect(Notes.equals(Notes.decode(Notes.encode(sample())), sample())).toBe(true);
    expect(Notes.toJSON(sample())).toEqual({
      context: { vector: [['ann', 1]], cloud: [] },
      entries: [['n', [[['ann', 1]], { runs: [['ann', 1, null, 'hi']], pending: [] }]]],
    });
    expect(Notes.equals(Notes.fromJSON(JSON.parse(JSON.stringify(Notes.toJSON(sample())))), sample())).toBe(true);
  });

  const ctx = { vector: [['ann', 2]], cloud: [] };
  const doc = { runs: [['ann', 1, null, 'hi']], pending: [] };
  test.each([
    ['an edit dot missing from the context', { context: ctx, entries: [['n', [[['ann', 3]], doc]]] }],
    ['edit dots out of order', { context: { vector: [['ann', 2], ['ben', 1]], cloud: [] }, entries: [['n', [[['ben', 1], ['ann', 1]], doc]]] }],
    ['a key with nothing to keep', { context: ctx, entries: [['n', [[], { runs: [], pending: [] }]]] }],
    ['a bad text', { context: ctx, entries: [['n', [[['ann', 1]], { runs: [['ann', 0, null, 'hi']], pending: [] }]]] }],
  ])('fromJSON rejects %s', (_, json) => {
    expect(() => Notes.fromJSON(json)).toThrow(DecodeError);
  });
});

// Laws: a map of texts, and a map of todo lists whose items have notes.
type TextOp = { at: number; text: string } | { at: number; erase: number };
const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ at: fc.nat(4), text: fc.constantFrom('a', 'bc') }),
  fc.record({ at: fc.nat(4), erase: fc.integer({ min: 1, max: 2 }) }),
);
const editText = (t: NestedText.Text, op: TextOp, r: ReplicaId): NestedText.Text => {
  const n = RGA.length(t.doc);
  if ('text' in op) return NestedText.change(t, r, (doc, me) => RGA.insertText(doc, me, Math.min(op.at, n), op.text));
  const at = Math.min(op.at, Math.max(0, n - 1));
  return NestedText.change(t, r, (doc, me) => RGA.deleteText(doc, me, at, Math.min(op.erase, n - at)));
};
type NotesOp = { key: string; op: TextOp } | { key: string; remove: true };
const notesOp: fc.Arbitrary<NotesOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ key: fc.constantFrom('x', 'y'), op: textOp }) },
  { weight: 1, arbitrary: fc.record({ key: fc.constantFrom('x', 'y'), remove: fc.constant(true as const) }) },
);

const Item = Struct.of({ done: ORMap.register, notes: NestedText.kind });
const Items = ORList.of(Item);
const Boards = ORMap.of(Items);
type BoardOp = { key: string; remove: true } | { key: string; at: number; how: 'insert' | 'remove' | 'tick' } | { key: string; at: number; op: TextOp };
const boardOp: fc.Arbitrary<BoardOp> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ key: fc.constantFrom('b1', 'b2'), remove: fc.constant(true as const) }) },
  { weight: 3, arbitrary: fc.record({ key: fc.constantFrom('b1', 'b2'), at: fc.nat(2), how: fc.constantFrom('insert' as const, 'remove' as const, 'tick' as const) }) },
  { weight: 4, arbitrary: fc.record({ key: fc.constantFrom('b1', 'b2'), at: fc.nat(2), op: textOp }) },
);
function editBoards(s: typeof Boards.bottom, op: BoardOp, r: ReplicaId) {
  if ('remove' in op) return Boards.remove(s, r, op.key);
  return Boards.update(s, r, op.key, (items, me) => {
    const n = Items.length(items);
    if ('how' in op && op.how === 'insert') return Items.insert(items, me, Math.min(op.at, n));
    if (n === 0) return Items.bottom;
    const at = Math.min(op.at, n - 1);
    if ('how' in op && op.how === 'remove') return Items.remove(items, me, at);
    return Items.update(items, me, at, (item, me2) =>
      'op' in op ? Item.update(item, me2, 'notes', (t, me3) => editText(t, op.op, me3)) : Item.update(item, me2, 'done', (v, me3) => MVRegister.set(v, me3, true)),
    );
  });
}

const specs = [
  {
    name: 'map of texts',
    lattice: Notes,
    operation: notesOp,
    mutate: (s, op, r) => ('remove' in op ? Notes.remove(s, r, op.key) : Notes.update(s, r, op.key, (t, me) => editText(t, op.op, me))),
    ...Notes,
  } satisfies CrdtSpec<typeof Notes.bottom, NotesOp>,
  { name: 'map of lists of structs with text', lattice: Boards, operation: boardOp, mutate: editBoards, ...Boards } satisfies CrdtSpec<typeof Boards.bottom, BoardOp>,
];

for (const spec of specs)
  describe(spec.name, () => {
    const typed = spec as CrdtSpec<unknown, unknown>;
    for (const law of [...laws(typed, lawScale), ...scenarios(typed, scenarioScale)]) test(law.name, () => law.run());
  });

test('fuzz: mutated encodings of a board with text decode to a valid state or throw DecodeError', () => {
  let s = Boards.bottom;
  const ops: BoardOp[] = [
    { key: 'b1', at: 0, how: 'insert' },
    { key: 'b1', at: 0, op: { at: 0, text: 'bc' } },
    { key: 'b1', at: 1, how: 'insert' },
    { key: 'b1', at: 1, op: { at: 0, text: 'a' } },
    { key: 'b1', at: 0, how: 'remove' },
    { key: 'b2', at: 0, how: 'insert' },
    { key: 'b2', remove: true },
  ];
  ops.forEach((op, i) => (s = Boards.merge(s, editBoards(s, op, i % 2 ? ann : ben))));
  const bytes = Boards.encode(s);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (flips, cut) => {
      const mutated = bytes.slice(0, bytes.length - (cut % 3));
      for (const [at, flip] of flips) mutated[at % mutated.length]! ^= flip;
      let decoded: typeof s;
      try {
        decoded = Boards.decode(mutated);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        return;
      }
      expect(Boards.equals(Boards.decode(Boards.encode(decoded)), decoded)).toBe(true);
      Boards.snapshot(decoded);
    }),
    { numRuns: 2000 },
  );
});
