import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { MemoryNetwork, Replica } from '@convergent/sync';
import * as fc from 'fast-check';
import { Window } from 'happy-dom';
import { afterEach, describe, expect, test } from 'vitest';
import { bind } from '../src/index.js';
import { inputChange, mapPosition } from '../src/edit.js';

type Field = HTMLTextAreaElement | HTMLInputElement;

const window = new Window();
const document = window.document as unknown as Document;
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** Two replicas on one network, each with its own bound field. */
function pair(tag: 'textarea' | 'input' = 'textarea') {
  const net = new MemoryNetwork();
  const make = (name: string) => {
    const replica = new Replica({ id: asReplicaId(name), type: RGA, gossipMs: 0 });
    const disconnect = replica.connect(net.transport(name));
    const field = document.createElement(tag) as Field;
    document.body.appendChild(field);
    field.focus();
    const unbind = bind(field, { replica });
    cleanup.push(unbind, () => replica.close(), () => field.remove());
    return { replica, field, unbind, disconnect };
  };
  const a = make('alice');
  const b = make('bob');
  return { a, b, net, sync: () => net.flush() };
}

const fire = (field: Field, type: string, init: Record<string, unknown> = {}) =>
  field.dispatchEvent(new window.InputEvent(type, init) as unknown as Event);

/** Types `text` over the selection, as a browser does: beforeinput, the edit, input. */
function type(field: Field, text: string): void {
  fire(field, 'beforeinput', { inputType: 'insertText', data: text });
  // The element stores line breaks its own way (happy-dom does not).
  const stored = field.localName === 'textarea' ? text.replace(/\r\n?/g, '\n') : text.replace(/[\r\n]/g, '');
  const start = field.selectionStart!;
  field.setRangeText(stored, start, field.selectionEnd!);
  field.setSelectionRange(start + stored.length, start + stored.length);
  fire(field, 'input', { inputType: 'insertText', data: text });
}

/** Backspace: deletes the selection, or the character before the caret (both halves of a surrogate pair). */
function backspace(field: Field): void {
  fire(field, 'beforeinput', { inputType: 'deleteContentBackward' });
  let start = field.selectionStart!;
  const end = field.selectionEnd!;
  if (start === end && start > 0) start -= /[\uDC00-\uDFFF]/.test(field.value[start - 1]!) ? 2 : 1;
  field.setRangeText('', start, end);
  field.setSelectionRange(start, start);
  fire(field, 'input', { inputType: 'deleteContentBackward' });
}

describe('bind', () => {
  test('the issue-15 keystrokes: "hi 😀", " ok", select all and Backspace, on both sides', () => {
    const { a, b, sync } = pair();
    for (const ch of ['h', 'i', ' ', '😀', ' ', 'o', 'k']) type(a.field, ch);
    sync();
    expect(RGA.text(a.replica.state)).toBe('hi 😀 ok');
    expect(b.field.value).toBe('hi 😀 ok');
    b.field.setSelectionRange(0, b.field.value.length);
    backspace(b.field);
    sync();
    expect(b.field.value).toBe('');
    expect(a.field.value).toBe('');
    expect(RGA.text(a.replica.state)).toBe('');
  });

  test('emoji and combining marks typed and deleted', () => {
    const { a, b, sync } = pair();
    type(a.field, 'e\u0301 👍🏽 𝒜');
    sync();
    expect(b.field.value).toBe('e\u0301 👍🏽 𝒜');
    b.field.setSelectionRange(b.field.value.length, b.field.value.length);
    backspace(b.field); // 𝒜, two units
    backspace(b.field); // the space
    backspace(b.field); // the skin tone modifier
    sync();
    expect(a.field.value).toBe('e\u0301 👍');
    expect(RGA.text(a.replica.state)).toBe('e\u0301 👍');
  });

  test('the caret stays on its characters while the other side types before it', () => {
    const { a, b, sync } = pair();
    type(a.field, 'world');
    sync();
    a.field.setSelectionRange(2, 2); // wo|rld
    b.field.setSelectionRange(0, 0);
    type(b.field, '👋 hello ');
    sync();
    expect(a.field.value).toBe('👋 hello world');
    expect([a.field.selectionStart, a.field.selectionEnd]).toEqual([11, 11]);
    type(a.field, '!');
    sync();
    expect(b.field.value).toBe('👋 hello wo!rld');
  });

  test('text typed at the caret by the other side goes after it; a selection keeps its characters', () => {
    const { a, b, sync } = pair();
    type(a.field, 'abcdef');
    sync();
    a.field.setSelectionRange(3, 3);
    b.field.setSelectionRange(3, 3);
    type(b.field, 'XY');
    sync();
    expect(a.field.value).toBe('abcXYdef');
    expect(a.field.selectionStart).toBe(3);
    a.field.setSelectionRange(5, 7, 'backward'); // "de" selected
    b.field.setSelectionRange(0, 2);
    backspace(b.field);
    b.field.setSelectionRange(3, 3);
    type(b.field, '--'); // right before "d"
    sync();
    expect(a.field.value).toBe('cXY--def');
    expect(a.field.value.slice(a.field.selectionStart!, a.field.selectionEnd!)).toBe('de');
    expect(a.field.selectionDirection).toBe('backward');
  });

  test('an IME composition is not broken by remote text; both are kept', () => {
    const { a, b, sync } = pair();
    type(a.field, 'ab');
    sync();
    a.field.setSelectionRange(2, 2);
    fire(a.field, 'compositionstart');
    // The IME writes and rewrites the composed text.
    for (const step of ['k', 'ka', 'かん', '漢']) {
      fire(a.field, 'beforeinput', { inputType: 'insertCompositionText', isComposing: true });
      a.field.setRangeText(step, 2, a.field.value.length, 'end');
      fire(a.field, 'input', { inputType: 'insertCompositionText', data: step, isComposing: true });
      if (step === 'ka') {
        b.field.setSelectionRange(0, 0);
        type(b.field, '😀');
        sync();
        // Nothing touched the element mid-word.
        expect(a.field.value).toBe('abka');
      }
    }
    expect(RGA.text(a.replica.state)).toBe('😀ab');
    fire(a.field, 'compositionend', { data: '漢' });
    expect(a.field.value).toBe('😀ab漢');
    expect(a.field.selectionStart).toBe(5);
    sync();
    expect(b.field.value).toBe('😀ab漢');
    expect(RGA.text(b.replica.state)).toBe('😀ab漢');
  });

  test('pasted CR LF is stored as LF in a textarea, dropped by an input', () => {
    const t = pair('textarea');
    type(t.a.field, 'one\r\ntwo\rthree');
    t.sync();
    expect(RGA.text(t.a.replica.state)).toBe('one\ntwo\nthree');
    expect(t.b.field.value).toBe('one\ntwo\nthree');
    const i = pair('input');
    type(i.a.field, 'one\r\ntwo');
    i.sync();
    expect(RGA.text(i.a.replica.state)).toBe('onetwo');
    expect(i.b.field.value).toBe('onetwo');
  });

  test('a script that sets the value (no selection to go by) is diffed as a whole', () => {
    const { a, b, sync } = pair();
    type(a.field, 'hello world');
    a.field.value = 'hello brave world';
    fire(a.field, 'input');
    sync();
    expect(b.field.value).toBe('hello brave world');
  });

  test('offline edits on both sides merge when they reconnect', () => {
    const { a, b, net, sync } = pair();
    type(a.field, 'shared ');
    sync();
    net.setOnline('alice', false);
    net.setOnline('bob', false);
    a.field.setSelectionRange(0, 0);
    type(a.field, '😀A ');
    b.field.setSelectionRange(b.field.value.length, b.field.value.length);
    type(b.field, 'B👍');
    net.setOnline('alice', true);
    net.setOnline('bob', true);
    a.replica.sync();
    b.replica.sync();
    sync();
    expect(a.field.value).toBe('😀A shared B👍');
    expect(b.field.value).toBe(a.field.value);
  });

  test('unbind stops both directions', () => {
    const { a, b, sync } = pair();
    type(a.field, 'x');
    sync();
    b.unbind();
    b.unbind();
    type(a.field, 'y');
    sync();
    expect(b.field.value).toBe('x');
    type(b.field, 'z');
    sync();
    expect(RGA.text(a.replica.state)).toBe('xy');
  });

  test('a field without a text selection is refused', () => {
    const replica = new Replica({ id: asReplicaId('r'), type: RGA, gossipMs: 0 });
    const field = document.createElement('input');
    field.type = 'number';
    expect(() => bind(field, { replica })).toThrow(TypeError);
  });

  test('random typing on both sides, with syncs now and then: fields and replicas agree', () => {
    const char = fc.constantFrom('a', 'é', '😀', '\n', ' ');
    const action = fc.record({ side: fc.boolean(), kind: fc.constantFrom('type', 'backspace', 'select', 'sync'), text: fc.array(char, { minLength: 1, maxLength: 3 }), at: fc.nat(), len: fc.nat(4) });
    fc.assert(
      fc.property(fc.array(action, { maxLength: 25 }), (actions) => {
        const { a, b, sync } = pair();
        for (const act of actions) {
          const { field, replica } = act.side ? a : b;
          if (act.kind === 'sync') sync();
          else if (act.kind === 'select') {
            const cps = [...field.value];
            const at = act.at % (cps.length + 1);
            const start = cps.slice(0, at).join('').length;
            const end = cps.slice(0, Math.min(cps.length, at + act.len)).join('').length;
            field.setSelectionRange(start, end);
          } else if (act.kind === 'type') type(field, act.text.join(''));
          else backspace(field);
          expect(field.value).toBe(RGA.text(replica.state));
        }
        sync();
        expect(a.field.value).toBe(RGA.text(a.replica.state));
        expect(b.field.value).toBe(a.field.value);
        for (const f of cleanup.splice(0)) f();
      }),
      { numRuns: 60 },
    );
  });
});

describe('text arithmetic', () => {
  test('inputChange finds the edit where the selection was, between equal characters', () => {
    expect(inputChange('aa', 'aaa', 1, 1, 2)).toEqual({ from: 1, to: 1, insert: 'a' });
    expect(inputChange('abc', 'ac', 2, 2, 1)).toEqual({ from: 1, to: 2, insert: '' });
    // Without a selection to go by: common prefix and suffix, never half a surrogate pair.
    expect(inputChange('😀', '😃', 0, 0, 0)).toEqual({ from: 0, to: 2, insert: '😃' });
    expect(inputChange('x', 'x', 0, 0, 0)).toBeUndefined();
    // A selection that claims too much (a wrong caret) still gives the minimal change.
    expect(inputChange('world', '👋 world', 0, 0, 8)).toEqual({ from: 0, to: 0, insert: '👋 ' });
  });

  test('mapPosition keeps a position to its characters', () => {
    const changes = [
      { from: 1, to: 1, insert: 'XX' },
      { from: 3, to: 5, insert: '' },
    ];
    expect(mapPosition(0, changes, -1)).toBe(0);
    expect(mapPosition(1, changes, -1)).toBe(1);
    expect(mapPosition(1, changes, 1)).toBe(3);
    expect(mapPosition(4, changes, -1)).toBe(5);
    expect(mapPosition(6, changes, -1)).toBe(6);
  });
});
