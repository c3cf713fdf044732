import { asReplicaId } from '@convergent/core';
import { Clock } from '@convergent/hlc';
import * as LWWRegister from '@convergent/lww-register';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as Struct from '@convergent/struct';
import { describe, expect, test } from 'vitest';
import { fields, lwwRegister, mapOfRegisters, mvRegister, structRegisters, UndoManager } from '../src/index.js';

const [me, you] = [asReplicaId('me'), asReplicaId('you')];
const Settings = ORMap.of(ORMap.register);
type S = ReturnType<typeof Settings.merge>;
const set = (s: S, who: typeof me, key: string, value: string): S => Settings.update(s, who, key, (v, r) => MVRegister.set(v, r, value));

/** A map replica of `me` with an undo manager, and a way to apply remote writes. */
function settings() {
  const undo = new UndoManager({ kind: fields(mapOfRegisters(Settings)), replica: me, captureMs: 0 });
  let state = Settings.bottom;
  return {
    undo,
    get state() {
      return state;
    },
    local(delta: S) {
      undo.capture(state, delta);
      state = Settings.merge(state, delta);
    },
    remote(delta: S) {
      state = Settings.merge(state, delta);
    },
    back(result: { state: S } | undefined) {
      expect(result).toBeDefined();
      state = result!.state;
    },
  };
}

describe('fields undo: maps of registers', () => {
  test('undo restores the value this replica saw before; redo puts its own back', () => {
    const r = settings();
    r.remote(set(r.state, you, 'theme', 'light'));
    r.local(set(r.state, me, 'theme', 'dark'));
    r.back(r.undo.undo(r.state));
    expect(Settings.snapshot(r.state)).toEqual({ theme: ['light'] });
    r.back(r.undo.redo(r.state));
    expect(Settings.snapshot(r.state)).toEqual({ theme: ['dark'] });
  });

  test('undoing the first write of a key removes the key; undoing a remove brings the value back', () => {
    const r = settings();
    r.local(set(r.state, me, 'font', 'serif'));
    r.local(Settings.remove(r.state, me, 'font'));
    expect(Settings.snapshot(r.state)).toEqual({});
    r.back(r.undo.undo(r.state));
    expect(Settings.snapshot(r.state)).toEqual({ font: ['serif'] });
    r.back(r.undo.undo(r.state));
    expect(Settings.snapshot(r.state)).toEqual({});
  });

  test('a field someone else changed since keeps their value; the step\'s other fields are still restored', () => {
    const r = settings();
    r.remote(set(r.state, you, 'size', 'small'));
    // One delta writing two fields: one step.
    const theme = set(r.state, me, 'theme', 'dark');
    r.local(Settings.merge(theme, set(Settings.merge(r.state, theme), me, 'size', 'big')));
    expect(Settings.snapshot(r.state)).toEqual({ size: ['big'], theme: ['dark'] });
    r.remote(set(r.state, you, 'theme', 'blue')); // you change theme after seeing mine
    r.back(r.undo.undo(r.state));
    expect(Settings.snapshot(r.state)).toEqual({ size: ['small'], theme: ['blue'] });
  });

  test('a concurrent write that leaves two values counts as a change: theirs are kept', () => {
    const r = settings();
    const base = r.state;
    r.local(set(base, me, 'theme', 'dark'));
    r.remote(set(base, you, 'theme', 'light')); // concurrent with mine
    expect(Settings.snapshot(r.state).theme).toHaveLength(2);
    expect(r.undo.undo(r.state)).toBeUndefined();
    expect(Settings.snapshot(r.state).theme).toHaveLength(2);
  });
});

describe('fields undo: structs, MV- and LWW-Registers', () => {
  test('struct register fields: undo restores each, and the struct converges with a peer that merges the undo delta', () => {
    const Todo = Struct.of({ title: ORMap.register, done: ORMap.register, tags: ORMap.set });
    const undo = new UndoManager({ kind: fields(structRegisters(Todo, ['title', 'done'])), replica: me, captureMs: 0 });
    let todo = Todo.merge(Todo.bottom, Todo.update(Todo.bottom, you, 'title', (v, r) => MVRegister.set(v, r, 'Milk')));
    let peer = todo;
    const done = Todo.update(todo, me, 'done', (v, r) => MVRegister.set(v, r, true));
    undo.capture(todo, done);
    todo = Todo.merge(todo, done);
    peer = Todo.merge(peer, done);
    const title = Todo.update(todo, me, 'title', (v, r) => MVRegister.set(v, r, 'Oat milk'));
    undo.capture(todo, title);
    todo = Todo.merge(todo, title);
    peer = Todo.merge(peer, title);
    const u1 = undo.undo(todo)!;
    const u2 = undo.undo(u1.state)!;
    todo = u2.state;
    expect(Todo.snapshot(todo)).toEqual({ title: ['Milk'], done: [], tags: [] });
    peer = Todo.merge(Todo.merge(peer, u2.delta), u1.delta);
    expect(Todo.equals(peer, todo)).toBe(true);
  });

  test('a stand-alone MV-Register: undo of the first write clears it', () => {
    const undo = new UndoManager({ kind: fields(mvRegister), replica: me, captureMs: 0 });
    const first = MVRegister.set(MVRegister.bottom, me, 'x');
    undo.capture(MVRegister.bottom, first);
    const { state } = undo.undo(first)!;
    expect(MVRegister.values(state)).toEqual([]);
  });

  test('an LWW-Register: undo writes the earlier value again, and cannot clear a first write', () => {
    const clock = new Clock(me);
    const undo = new UndoManager({ kind: fields(lwwRegister(clock)), replica: me, captureMs: 0 });
    let reg = LWWRegister.bottom;
    for (const value of ['a', 'b']) {
      const d = LWWRegister.set(reg, clock, value);
      undo.capture(reg, d);
      reg = LWWRegister.merge(reg, d);
    }
    reg = undo.undo(reg)!.state;
    expect(LWWRegister.get(reg)).toBe('a');
    expect(undo.undo(reg)).toBeUndefined();
    expect(LWWRegister.get(reg)).toBe('a');
  });

  test('grouping: writes to one field within the interval form one step that restores the value before the first', () => {
    let now = 0;
    const undo = new UndoManager({ kind: fields(mapOfRegisters(Settings)), replica: me, captureMs: 500, now: () => now });
    let s = Settings.bottom;
    for (const width of ['20', '30', '34']) {
      const d = set(s, me, 'width', width);
      undo.capture(s, d);
      s = Settings.merge(s, d);
      now += width === '20' ? 1000 : 10;
    }
    s = undo.undo(s)!.state;
    expect(Settings.snapshot(s)).toEqual({ width: ['20'] });
  });
});
