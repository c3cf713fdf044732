import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as RGA from '@convergent/rga';
import { MemoryNetwork, Replica } from '@convergent/sync';
import { describe, expect, test } from 'vitest';
import { fields, mapOfRegisters, text, track, UndoManager } from '../src/index.js';
import { alice, bob } from './support.js';

describe('track: undo over sync replicas', () => {
  test('two people type, one undoes: the other\'s text stays, and both replicas end equal', () => {
    const net = new MemoryNetwork();
    const [a, b] = [alice, bob].map((id) => {
      const r = new Replica({ id, type: RGA, gossipMs: 0 });
      r.connect(net.transport(id));
      return r;
    }) as [Replica<RGA.RGA>, Replica<RGA.RGA>];
    const history = track(a, new UndoManager({ kind: text(), replica: alice, captureMs: 0 }));
    a.update((s, id) => RGA.insertText(s, id, 0, 'Hello'));
    net.flush();
    b.update((s, id) => RGA.insertText(s, id, 5, ' from Bob'));
    net.flush();
    a.update((s, id) => RGA.insertText(s, id, RGA.length(s), '!'));
    net.flush();
    expect(RGA.text(b.state)).toBe('Hello from Bob!');
    history.undo();
    history.undo();
    net.flush();
    expect(RGA.text(a.state)).toBe(' from Bob');
    expect(RGA.equals(a.state, b.state)).toBe(true);
    history.redo();
    net.flush();
    expect(RGA.text(b.state)).toBe('Hello from Bob');
    expect(history.undo()).toBeDefined(); // the redo is itself undoable
    // Remote changes are never captured: after undoing everything, Bob's text is there.
    while (history.undo());
    net.flush();
    expect(RGA.text(b.state)).toBe(' from Bob');
    history.stop();
  });

  test('a map over sync: undo restores the field, and the peer sees it', () => {
    const Settings = ORMap.of(ORMap.register);
    const net = new MemoryNetwork();
    const [a, b] = [alice, bob].map((id) => {
      const r = new Replica({ id, type: Settings, gossipMs: 0 });
      r.connect(net.transport(id));
      return r;
    }) as [Replica<ReturnType<typeof Settings.merge>>, Replica<ReturnType<typeof Settings.merge>>];
    const history = track(a, new UndoManager({ kind: fields(mapOfRegisters(Settings)), replica: alice, captureMs: 0 }));
    b.update((s, id) => Settings.update(s, id, 'theme', (v, r) => MVRegister.set(v, r, 'light')));
    net.flush();
    a.update((s, id) => Settings.update(s, id, 'theme', (v, r) => MVRegister.set(v, r, 'dark')));
    net.flush();
    history.undo();
    net.flush();
    expect(Settings.snapshot(b.state)).toEqual({ theme: ['light'] });
    expect(Settings.equals(a.state, b.state)).toBe(true);
  });
});
