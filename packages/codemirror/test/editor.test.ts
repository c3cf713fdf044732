// @vitest-environment happy-dom
// Editors bound to replicas, in a DOM (happy-dom): typing and deleting emoji, select
// all and delete, carets staying on their characters, remote carets drawn, and two
// editors converging through random concurrent edits.
import { EditorSelection } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { undo, history } from '@codemirror/commands';
import { asReplicaId } from '@convergent/core';
import { Presence } from '@convergent/presence';
import * as RGA from '@convergent/rga';
import { MemoryNetwork, Replica } from '@convergent/sync';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { convergent } from '../src/index.js';
import { boundaries } from './support.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function editor(net: MemoryNetwork, name: string, withPresence = false) {
  const id = asReplicaId(name);
  const link = net.transport(name);
  const replica = new Replica({ id, type: RGA, gossipMs: 0, deltaLog: true });
  replica.connect(link);
  const presence = withPresence ? new Presence({ id, name: name.toUpperCase(), colour: name === 'a' ? '#ff0000' : '#0000ff' }) : undefined;
  presence?.connect(link);
  const parent = document.body.appendChild(document.createElement('div'));
  const view = new EditorView({ doc: RGA.text(replica.state), extensions: [history(), convergent(presence ? { replica, presence } : { replica })], parent });
  cleanup.push(() => {
    view.destroy();
    parent.remove();
    presence?.close();
    replica.close();
  });
  const type = (text: string) => view.dispatch(view.state.replaceSelection(text), { userEvent: 'input.type' });
  return { id, replica, presence, view, type, doc: () => view.state.doc.toString() };
}

/** Delivers messages and lets presence's coalesced sends go out, a few rounds. */
async function settle(net: MemoryNetwork): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, i < 3 ? 0 : 60));
    net.flush();
  }
}

describe('one editor', () => {
  test('emoji typed and deleted, then select all and delete: the replica follows, in UTF-16', () => {
    const net = new MemoryNetwork();
    const a = editor(net, 'a');
    a.type('hi 😀');
    a.type(' ok');
    expect(RGA.text(a.replica.state)).toBe('hi 😀 ok');
    // Backspace over " ok" and the emoji (two UTF-16 units).
    a.view.dispatch({ changes: { from: 3, to: 8 }, selection: { anchor: 3 } });
    expect(RGA.text(a.replica.state)).toBe('hi ');
    a.type('𝄞');
    a.view.dispatch({ selection: EditorSelection.single(0, a.view.state.doc.length) });
    a.view.dispatch(a.view.state.replaceSelection(''));
    expect(a.doc()).toBe('');
    expect(RGA.text(a.replica.state)).toBe('');
  });

  test('an editor created with another text shows the replica\'s', async () => {
    const net = new MemoryNetwork();
    const replica = new Replica({ id: asReplicaId('r'), type: RGA, gossipMs: 0 });
    replica.update((s, id) => RGA.insertText(s, id, 0, 'shared'));
    const view = new EditorView({ doc: 'stale', extensions: convergent({ replica }), parent: document.body });
    cleanup.push(() => view.destroy());
    await Promise.resolve();
    expect(view.state.doc.toString()).toBe('shared');
    expect(RGA.text(replica.state)).toBe('shared');
    expect(net.stats.sent).toBe(0);
  });
});

describe('two editors', () => {
  test('remote edits arrive as changes, are not echoed, and are not undone by the other editor', () => {
    const net = new MemoryNetwork();
    const a = editor(net, 'a');
    const b = editor(net, 'b');
    a.type('hello');
    net.flush();
    expect(b.doc()).toBe('hello');
    const sentByB = b.replica.stats.sent;
    // The remote insert at b's caret went after it (CodeMirror maps a caret before text inserted at it).
    expect(b.view.state.selection.main.head).toBe(0);
    b.view.dispatch({ selection: { anchor: 5 } });
    b.type(' world');
    net.flush();
    expect(a.doc()).toBe('hello world');
    expect(b.replica.stats.sent - sentByB).toBe(1);
    undo(a.view);
    expect(a.doc()).toBe(' world');
    net.flush();
    expect(b.doc()).toBe(' world');
  });

  test('a caret stays on its characters while the other side types before it, emoji included', () => {
    const net = new MemoryNetwork();
    const a = editor(net, 'a');
    const b = editor(net, 'b');
    a.type('abc');
    net.flush();
    a.view.dispatch({ selection: { anchor: 2 } }); // between b and c
    b.view.dispatch({ changes: { from: 0, insert: '😀x' } });
    net.flush();
    expect(a.doc()).toBe('😀xabc');
    expect(a.view.state.selection.main.head).toBe(5);
  });

  test('remote carets and selections are drawn with names and colours, and follow the text', async () => {
    const net = new MemoryNetwork();
    const a = editor(net, 'a', true);
    const b = editor(net, 'b', true);
    await settle(net);
    a.type('hello world');
    a.view.dispatch({ selection: { anchor: 6, head: 11 } });
    await settle(net);
    const label = b.view.dom.querySelector('.cm-convergent-caret-label');
    expect(label?.textContent).toBe('A');
    expect((label as HTMLElement).style.backgroundColor).toMatch(/#ff0000|rgb\(255, 0, 0\)/);
    expect(b.view.dom.querySelector('.cm-convergent-selection')?.textContent).toBe('world');
    // b types before a's caret: a's selection stays on "world", with no new presence message from a.
    const sentByA = a.presence!.stats.sent;
    b.view.dispatch({ changes: { from: 0, insert: '>> ' } });
    await settle(net);
    expect(b.view.dom.querySelector('.cm-convergent-selection')?.textContent).toBe('world');
    expect(a.presence!.stats.sent).toBe(sentByA);
    // And a does not draw its own caret.
    expect(a.view.dom.querySelector('.cm-convergent-caret-label')?.textContent).toBe('B');
  });

  test('random concurrent edits converge (property)', () => {
    const op = fc.record({ who: fc.boolean(), at: fc.nat(), len: fc.nat(3), insert: fc.constantFrom('', 'x', 'é', '😀', 'ab\n', '𝄞z'), deliver: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), fc.integer(), (ops, seed) => {
        const net = new MemoryNetwork({ seed, maxDelay: 2 });
        const a = editor(net, 'a');
        const b = editor(net, 'b');
        for (const { who, at, len, insert, deliver } of ops) {
          const e = who ? a : b;
          const bounds = boundaries(e.doc());
          const i = at % bounds.length;
          const from = bounds[i]!;
          const to = bounds[Math.min(bounds.length - 1, i + len)]!;
          if (from !== to || insert) e.view.dispatch({ changes: { from, to, insert } });
          if (deliver) net.tick();
        }
        net.flush();
        a.replica.sync();
        b.replica.sync();
        net.flush();
        expect(a.doc()).toBe(b.doc());
        expect(a.doc()).toBe(RGA.text(a.replica.state));
        expect(b.doc()).toBe(RGA.text(b.replica.state));
        for (const f of cleanup.splice(0).reverse()) f();
      }),
      { numRuns: 60 },
    );
  });
});
