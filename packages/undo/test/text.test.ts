import * as RGA from '@convergent/rga';
import { describe, expect, test } from 'vitest';
import { text, UndoManager } from '../src/index.js';
import { alice, bob, Editor } from './support.js';

describe('text undo', () => {
  test('undo deletes exactly the characters this replica inserted, keeping text typed around and inside them', () => {
    const a = new Editor(alice);
    const b = new Editor(bob);
    a.type(0, 'hello');
    b.receive(a.outbox[0]!);
    b.type(2, '[B]');
    b.type(0, '>');
    for (const d of b.outbox) a.receive(d);
    expect(a.text).toBe('>he[B]llo');
    expect(a.undo()).toBe(true);
    expect(a.text).toBe('>[B]');
    expect(a.redo()).toBe(true);
    expect(a.text).toBe('>he[B]llo');
  });

  test('undo of a delete re-inserts the text where it was, under new ids, keeping a remote insert at the gap', () => {
    const a = new Editor(alice);
    a.type(0, 'one two three');
    const b = new Editor(bob, a.doc);
    a.erase(3, 4); // 'one three'
    b.receive(a.outbox[1]!);
    b.type(3, '+'); // 'one+ three' at bob
    a.receive(b.outbox[0]!);
    a.undo();
    expect(a.text).toBe('one+ two three');
    b.receive(a.outbox.at(-1)!);
    expect(RGA.equals(a.doc, b.doc)).toBe(true);
  });

  test('changes within the interval form one step; stopCapturing and a pause split them', () => {
    const a = new Editor(alice, RGA.bottom, 500);
    a.type(0, 'a');
    a.clock = 100;
    a.type(1, 'b');
    a.clock = 700; // a pause of 600 ms
    a.type(2, 'c');
    a.undoer.stopCapturing();
    a.type(3, 'd');
    a.undo();
    expect(a.text).toBe('abc');
    a.undo();
    expect(a.text).toBe('ab');
    a.undo();
    expect(a.text).toBe('');
    expect(a.undo()).toBe(false);
  });

  test('a new change clears the redo stack', () => {
    const a = new Editor(alice);
    a.type(0, 'x');
    a.undo();
    expect(a.undoer.canRedo).toBe(true);
    a.type(0, 'y');
    expect(a.undoer.canRedo).toBe(false);
    expect(a.redo()).toBe(false);
    expect(a.text).toBe('y');
  });

  test('undo restores the selection, anchored so that it survives remote edits before it', () => {
    const a = new Editor(alice);
    a.type(0, 'hello world');
    const b = new Editor(bob, a.doc);
    a.erase(6, 5); // select 'world', delete
    b.type(0, '>> ');
    a.receive(b.outbox[0]!);
    a.undo();
    expect(a.text).toBe('>> hello world');
    expect(a.selection).toEqual({ anchor: 9, head: 14 });
    a.redo();
    expect(a.selection).toEqual({ anchor: 9, head: 9 });
  });

  test('a step whose every change others undid is dropped: undo goes on to the one before', () => {
    const a = new Editor(alice);
    a.type(0, 'keep ');
    a.undoer.stopCapturing();
    a.type(5, 'gone');
    const b = new Editor(bob, a.doc);
    b.erase(5, 4);
    a.receive(b.outbox[0]!);
    expect(a.undo()).toBe(true);
    expect(a.text).toBe('');
  });

  test('undo and redo of a list of JSON values', () => {
    const undo = new UndoManager({ kind: text(), replica: alice, captureMs: 0 });
    let list = RGA.merge(RGA.bottom, RGA.insertAt(RGA.bottom, bob, 0, [1, { two: 2 }, 3]));
    const cut = RGA.deleteAt(list, alice, 1, 1);
    undo.capture(list, cut);
    list = RGA.merge(list, cut);
    list = undo.undo(list)!.state;
    expect(RGA.toArray(list)).toEqual([1, { two: 2 }, 3]);
  });

  test('an undo manager rejects a bad interval and a bad replica id', () => {
    expect(() => new UndoManager({ kind: text(), replica: alice, captureMs: -1 })).toThrow(RangeError);
    expect(() => new UndoManager({ kind: text(), replica: '' as typeof alice })).toThrow();
  });
});

test('selections in UTF-16 units: an emoji counts two, before and after undo', () => {
  const undo = new UndoManager({ kind: text({ utf16: true }), replica: alice, captureMs: 0 });
  let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, bob, 0, '😀 hi'));
  const cut = RGA.deleteTextUtf16(doc, alice, 3, 2);
  undo.capture(doc, cut, { before: { anchor: 3, head: 5 }, after: { anchor: 3, head: 3 } });
  doc = RGA.merge(doc, cut);
  doc = RGA.merge(doc, RGA.insertTextUtf16(doc, bob, 0, '👋'));
  const back = undo.undo(doc)!;
  expect(RGA.text(back.state)).toBe('👋😀 hi');
  expect(back.selection).toEqual({ anchor: 5, head: 7 });
  expect(undo.redo(back.state)!.selection).toEqual({ anchor: 5, head: 5 });
});

test('UTF-16 selections after an emoji anchor to the whole character', () => {
  const undo = new UndoManager({ kind: text({ utf16: true }), replica: alice, captureMs: 0 });
  const typed = RGA.insertTextUtf16(RGA.bottom, alice, 0, 'a😀');
  undo.capture(RGA.bottom, typed, { before: { anchor: 0, head: 0 }, after: { anchor: 3, head: 3 } });
  const back = undo.undo(typed)!;
  expect(undo.redo(back.state)!.selection).toEqual({ anchor: 3, head: 3 });
});
