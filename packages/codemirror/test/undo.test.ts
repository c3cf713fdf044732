// @vitest-environment happy-dom
// The binding with an undo manager: undo and redo reverse only this editor's edits,
// keep the other editor's text, restore the selection, and converge.
import { EditorView, runScopeHandlers } from '@codemirror/view';
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { MemoryNetwork, Replica } from '@convergent/sync';
import { text, UndoManager } from '@convergent/undo';
import { afterEach, expect, test } from 'vitest';
import { convergent } from '../src/index.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function editor(net: MemoryNetwork, name: string) {
  const id = asReplicaId(name);
  const replica = new Replica({ id, type: RGA, gossipMs: 0 });
  replica.connect(net.transport(name));
  const undo = new UndoManager({ kind: text({ utf16: true }), replica: id, captureMs: 0 });
  const parent = document.body.appendChild(document.createElement('div'));
  const view = new EditorView({ doc: RGA.text(replica.state), extensions: [convergent({ replica, undo })], parent });
  cleanup.push(() => {
    view.destroy();
    parent.remove();
    replica.close();
  });
  const typeAt = (at: number, s: string) => view.dispatch({ changes: { from: at, insert: s }, selection: { anchor: at + s.length }, userEvent: 'input.type' });
  const key = (k: string, shift = false) =>
    runScopeHandlers(view, new KeyboardEvent('keydown', { key: k, ctrlKey: true, shiftKey: shift }), 'editor');
  return { replica, view, typeAt, key, doc: () => view.state.doc.toString() };
}

test('two people type, one presses Mod-z: only their own text goes, the other\'s stays; Mod-Shift-z and Mod-y redo', () => {
  const net = new MemoryNetwork();
  const a = editor(net, 'alice');
  const b = editor(net, 'bob');
  a.typeAt(0, 'Hello');
  net.flush();
  b.typeAt(5, ' from Bob 😀');
  net.flush();
  a.typeAt(0, '> ');
  net.flush();
  expect(b.doc()).toBe('> Hello from Bob 😀');
  expect(a.key('z')).toBe(true);
  expect(a.doc()).toBe('Hello from Bob 😀');
  // The caret is back where it was before typing '> ': after 'Hello'.
  expect(a.view.state.selection.main.head).toBe(5);
  a.key('z');
  net.flush();
  expect(b.doc()).toBe(' from Bob 😀');
  a.key('z', true);
  net.flush();
  expect(b.doc()).toBe('Hello from Bob 😀');
  expect(a.view.state.selection.main.head).toBe(5);
  a.key('y');
  net.flush();
  expect(a.doc()).toBe('> Hello from Bob 😀');
  expect(b.doc()).toBe(a.doc());
  expect(RGA.equals(a.replica.state, b.replica.state)).toBe(true);
  // Bob's own undo removes only his text.
  expect(b.key('z')).toBe(true);
  net.flush();
  expect(a.doc()).toBe('> Hello');
});

test('with nothing to undo, Mod-z changes nothing (and the browser\'s own undo stays off)', () => {
  const a = editor(new MemoryNetwork(), 'alice');
  a.key('z');
  expect(a.doc()).toBe('');
  expect(RGA.equals(a.replica.state, RGA.bottom)).toBe(true);
});
