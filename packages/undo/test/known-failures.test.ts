// Scenarios from other libraries' bug reports, reduced to plain text, lists or map fields.
// Each test states the correct behaviour; the issue it comes from is in its name.
import { asReplicaId } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as RGA from '@convergent/rga';
import { describe, expect, test } from 'vitest';
import { fields, mapOfRegisters, text, UndoManager } from '../src/index.js';
import { alice, bob, Editor } from './support.js';

describe('known failures of other undo managers', () => {
  test('yjs#241: after two inserts and two undos, an insert at index 2 of "1221" lands at index 2', () => {
    const doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, bob, 0, '1221'));
    const a = new Editor(alice, doc, 500);
    a.type(2, '3');
    a.type(3, '3');
    expect(a.text).toBe('123321');
    a.undo();
    a.undo(); // both inserts were one step: nothing left to undo
    expect(a.text).toBe('1221');
    a.type(2, '3');
    expect(a.text).toBe('12321');
  });

  test('yjs#736: undoing every step of a list one by one passes back through every state, in order', () => {
    const undo = new UndoManager({ kind: text(), replica: alice, captureMs: 0 });
    let list = RGA.bottom;
    const history: unknown[][] = [RGA.toArray(list)];
    const step = (edits: (e: RGA.Editor) => void): void => {
      const { state, delta } = RGA.edit(list, alice, edits);
      undo.capture(list, delta);
      list = state;
      history.push(RGA.toArray(list));
    };
    step((e) => e.insertAt(0, [1, 2, 3]));
    step((e) => e.insertAt(2, [6, 7]));
    step((e) => {
      e.deleteAt(1, 1);
      e.insertAt(1, [8]);
    });
    step((e) => e.deleteAt(0, 1));
    step((e) => e.deleteAt(1, 2));
    expect(history).toEqual([[], [1, 2, 3], [1, 2, 6, 7, 3], [1, 8, 6, 7, 3], [8, 6, 7, 3], [8, 3]]);
    for (let i = history.length - 2; i >= 0; i--) {
      list = undo.undo(list)!.state;
      expect(RGA.toArray(list)).toEqual(history[i]);
    }
    for (let i = 1; i < history.length; i++) {
      list = undo.redo(list)!.state;
      expect(RGA.toArray(list)).toEqual(history[i]);
    }
  });

  test('yjs#343: three or more changes to map fields, all undone then all redone, pass only through states that existed', () => {
    const Doc = ORMap.of(ORMap.register);
    const me = asReplicaId('me');
    const undo = new UndoManager({ kind: fields(mapOfRegisters(Doc)), replica: me, captureMs: 0 });
    let doc = Doc.bottom;
    const seen = [Doc.snapshot(doc)];
    const write = (key: string, value: string): void => {
      const delta = Doc.update(doc, me, key, (v, r) => MVRegister.set(v, r, value));
      undo.capture(doc, delta);
      doc = Doc.merge(doc, delta);
      seen.push(Doc.snapshot(doc));
    };
    write('text', 'Something');
    write('blocks', 'one');
    write('text', 'Something Else');
    write('blocks', 'two');
    for (let i = seen.length - 2; i >= 0; i--) {
      doc = undo.undo(doc)!.state;
      expect(Doc.snapshot(doc)).toEqual(seen[i]);
    }
    for (let i = 1; i < seen.length; i++) {
      doc = undo.redo(doc)!.state;
      expect(Doc.snapshot(doc)).toEqual(seen[i]);
    }
    expect(undo.canRedo).toBe(false);
  });

  test('y-prosemirror#38: undoing a new line puts the caret back at the end of the first line', () => {
    const a = new Editor(alice);
    a.type(0, 'first line');
    a.type(10, '\n');
    expect(a.selection).toEqual({ anchor: 11, head: 11 });
    a.undo();
    expect(a.text).toBe('first line');
    expect(a.selection).toEqual({ anchor: 10, head: 10 });
  });

  test('y-prosemirror#38, with a remote edit before the caret: the restored caret is still at the end of the first line', () => {
    const a = new Editor(alice);
    a.type(0, 'first line');
    const b = new Editor(bob, a.doc);
    a.type(10, '\n');
    b.type(0, 'the ');
    a.receive(b.outbox[0]!);
    a.undo();
    expect(a.text).toBe('the first line');
    expect(a.selection).toEqual({ anchor: 14, head: 14 });
  });

  test('y-prosemirror#190: undoing a backspace puts the caret on the right of the restored character', () => {
    const a = new Editor(alice);
    a.type(0, 'hello');
    a.selection = { anchor: 5, head: 5 };
    a.undoer.capture(a.doc, RGA.deleteText(a.doc, alice, 4, 1), { before: a.selection, after: { anchor: 4, head: 4 } });
    a.doc = RGA.merge(a.doc, RGA.deleteText(a.doc, alice, 4, 1));
    a.selection = { anchor: 4, head: 4 };
    expect(a.text).toBe('hell');
    a.undo();
    expect(a.text).toBe('hello');
    expect(a.selection).toEqual({ anchor: 5, head: 5 });
  });

  test('y-prosemirror#190, a selection deleted: undo restores the text and selects it again', () => {
    const a = new Editor(alice);
    a.type(0, 'hello world');
    a.erase(2, 5); // 'he|llo w|orld'
    a.undo();
    expect(a.text).toBe('hello world');
    expect(a.selection).toEqual({ anchor: 2, head: 7 });
  });
});
