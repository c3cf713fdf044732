import { asReplicaId } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as Struct from '@convergent/struct';
import { MemoryNetwork, Replica } from '@convergent/sync';
import { expect, test } from 'vitest';
import * as ORList from '../src/index.js';

const Todo = Struct.of({ title: ORMap.register, done: ORMap.register });
const Todos = ORList.of(Todo);
const Board = Struct.of({ name: ORMap.register, todos: Todos });

test.each([false, true])('a board of todos over @convergent/sync, no special case (delta log: %s)', (deltaLog) => {
  const net = new MemoryNetwork();
  const ann = new Replica({ id: asReplicaId('ann'), type: Board, deltaLog });
  const ben = new Replica({ id: asReplicaId('ben'), type: Board, deltaLog });
  ann.connect(net.transport('ann'));
  ben.connect(net.transport('ben'));
  net.flush();
  const insert = (at: number, title: string) => (s: typeof Board.bottom, me: typeof ann.id) =>
    Board.update(s, me, 'todos', (list, r) => Todos.insert(list, r, at, (t, r2) => Todo.update(t, r2, 'title', (v, r3) => MVRegister.set(v, r3, title))));
  ann.update(insert(0, 'milk'));
  ann.update(insert(1, 'eggs'));
  net.flush();
  expect(Board.snapshot(ben.state).todos.map((t) => t.title)).toEqual([['milk'], ['eggs']]);
  // Concurrently: Ann removes milk and adds bread; Ben ticks milk.
  ann.update((s, me) => Board.update(s, me, 'todos', (list, r) => Todos.remove(list, r, 0)));
  ann.update(insert(1, 'bread'));
  ben.update((s, me) => Board.update(s, me, 'todos', (list, r) => Todos.update(list, r, 0, (t, r2) => Todo.update(t, r2, 'done', (v, r3) => MVRegister.set(v, r3, true)))));
  net.flush();
  expect(Board.equals(ann.state, ben.state)).toBe(true);
  expect(Board.snapshot(ann.state).todos).toEqual([
    { title: [], done: [true] },
    { title: ['eggs'], done: [] },
    { title: ['bread'], done: [] },
  ]);
});
