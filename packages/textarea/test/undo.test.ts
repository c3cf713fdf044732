// The binding with an undo manager: Ctrl/Cmd+Z and Shift+Ctrl/Cmd+Z undo and redo this
// replica's own edits only, as deltas the other replica receives.
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { MemoryNetwork, Replica } from '@convergent/sync';
import { text, UndoManager } from '@convergent/undo';
import { Window } from 'happy-dom';
import { afterEach, expect, test } from 'vitest';
import { bind } from '../src/index.js';

const window = new Window();
const document = window.document as unknown as Document;
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function editor(net: MemoryNetwork, name: string) {
  const replica = new Replica({ id: asReplicaId(name), type: RGA, gossipMs: 0 });
  replica.connect(net.transport(name));
  const field = document.createElement('textarea');
  document.body.appendChild(field);
  const undo = new UndoManager({ kind: text({ utf16: true }), replica: replica.id, captureMs: 0 });
  cleanup.push(bind(field, { replica, undo }), () => replica.close(), () => field.remove());
  return { replica, field };
}

const fire = (field: HTMLTextAreaElement, event: Event) => field.dispatchEvent(event);
function typeAt(field: HTMLTextAreaElement, at: number, s: string): void {
  field.focus();
  field.setSelectionRange(at, at);
  fire(field, new window.InputEvent('beforeinput', { inputType: 'insertText', data: s }) as unknown as Event);
  field.setRangeText(s, at, at);
  field.setSelectionRange(at + s.length, at + s.length);
  fire(field, new window.InputEvent('input', { inputType: 'insertText', data: s }) as unknown as Event);
}
const key = (field: HTMLTextAreaElement, k: string, shift = false) =>
  fire(field, new window.KeyboardEvent('keydown', { key: k, ctrlKey: true, shiftKey: shift, cancelable: true }) as unknown as Event);

test('two people type, one presses Ctrl+Z: only their own text goes, the other\'s stays, and Ctrl+Shift+Z brings it back', () => {
  const net = new MemoryNetwork();
  const a = editor(net, 'alice');
  const b = editor(net, 'bob');
  typeAt(a.field, 0, 'Hello');
  net.flush();
  typeAt(b.field, 5, ' from Bob 😀');
  net.flush();
  typeAt(a.field, 0, '> ');
  net.flush();
  expect(b.field.value).toBe('> Hello from Bob 😀');
  key(a.field, 'z');
  expect(a.field.value).toBe('Hello from Bob 😀');
  expect([a.field.selectionStart, a.field.selectionEnd]).toEqual([0, 0]);
  key(a.field, 'z');
  net.flush();
  expect(a.field.value).toBe(' from Bob 😀');
  expect(b.field.value).toBe(' from Bob 😀');
  key(a.field, 'z', true);
  net.flush();
  expect(b.field.value).toBe('Hello from Bob 😀');
  expect([a.field.selectionStart, a.field.selectionEnd]).toEqual([5, 5]);
  key(a.field, 'y');
  net.flush();
  expect(a.field.value).toBe('> Hello from Bob 😀');
  expect(RGA.equals(a.replica.state, b.replica.state)).toBe(true);
});

test('the browser\'s own history (Edit menu: historyUndo) goes through the undo manager too', () => {
  const net = new MemoryNetwork();
  const a = editor(net, 'alice');
  typeAt(a.field, 0, 'abc');
  const event = new window.InputEvent('beforeinput', { inputType: 'historyUndo', cancelable: true }) as unknown as Event;
  fire(a.field, event);
  expect(event.defaultPrevented).toBe(true);
  expect(a.field.value).toBe('');
  expect(RGA.text(a.replica.state)).toBe('');
});

test('an IME composition over a selection, with remote text held back meanwhile: undo restores the text and the selection it replaced', () => {
  const net = new MemoryNetwork();
  const a = editor(net, 'alice');
  const b = editor(net, 'bob');
  typeAt(a.field, 0, 'abc');
  net.flush();
  const event = (type: string, init: Record<string, unknown> = {}) => fire(a.field, new window.InputEvent(type, init) as unknown as Event);
  a.field.setSelectionRange(1, 2); // 'b' selected
  event('compositionstart');
  for (const step of ['k', 'かん', '漢']) {
    event('beforeinput', { inputType: 'insertCompositionText', isComposing: true });
    a.field.setRangeText(step, 1, a.field.value.length - 1, 'end');
    event('input', { inputType: 'insertCompositionText', data: step, isComposing: true });
    if (step === 'k') {
      typeAt(b.field, 0, '😀'); // held back until the composition ends
      net.flush();
    }
  }
  event('compositionend', { data: '漢' });
  expect(a.field.value).toBe('😀a漢c');
  key(a.field, 'z');
  expect(a.field.value).toBe('😀abc');
  // 'b' is selected again, where the remote emoji moved it.
  expect([a.field.selectionStart, a.field.selectionEnd]).toEqual([3, 4]);
  net.flush();
  expect(b.field.value).toBe('😀abc');
});
