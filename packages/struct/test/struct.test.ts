import { asReplicaId, DecodeError, InvalidValueError, type JsonValue } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as ORSet from '@convergent/or-set';
import { describe, expect, expectTypeOf, test } from 'vitest';
import * as Struct from '../src/index.js';

const [ann, ben] = [asReplicaId('ann'), asReplicaId('ben')];
const Todo = Struct.of({ title: ORMap.register, done: ORMap.register, tags: ORMap.set });
type Todo = typeof Todo.bottom;
const setTitle = (t: Todo, r: typeof ann, title: string) => Todo.update(t, r, 'title', (v, me) => MVRegister.set(v, me, title));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('fields', () => {
  test('field types are inferred from the schema', () => {
    expectTypeOf(Todo.get(Todo.bottom, 'tags')).toEqualTypeOf<ORSet.ORSet>();
    expectTypeOf(Todo.get(Todo.bottom, 'title')).toEqualTypeOf<MVRegister.MVRegister>();
    expectTypeOf(Todo.snapshot(Todo.bottom).tags).toEqualTypeOf<readonly JsonValue[]>();
    const Cart = Struct.of({ milk: ORMap.counter, extras: ORMap.of(ORMap.counter) });
    expectTypeOf(Cart.snapshot(Cart.bottom).milk).toEqualTypeOf<number>();
    expectTypeOf(Cart.get(Cart.bottom, 'extras')).toEqualTypeOf<ORMap.ORMap<ORMap.CounterStore>>();
    // @ts-expect-error: not a field of the schema
    expect(() => Todo.get(Todo.bottom, 'colour')).toThrow(InvalidValueError);
  });

  test('unwritten fields show their defaults, with no dots', () => {
    expect(Todo.snapshot(Todo.bottom)).toEqual({ title: [], done: [], tags: [] });
    expect(Todo.bottom.fields.size).toBe(0);
  });

  test('concurrent edits of different fields both land, fieldwise', () => {
    const base = Todo.merge(Todo.bottom, setTitle(Todo.bottom, ann, 'Buy milk'));
    const a = Todo.update(base, ann, 'done', (v, me) => MVRegister.set(v, me, true));
    const b = Todo.update(base, ben, 'tags', (v, me) => ORSet.add(v, me, 'home'));
    const merged = Todo.merge(Todo.merge(base, a), b);
    expect(Todo.snapshot(merged)).toEqual({ title: ['Buy milk'], done: [true], tags: ['home'] });
    expect(Todo.equals(merged, Todo.merge(Todo.merge(base, b), a))).toBe(true);
  });

  test('a delta holds the one field updated', () => {
    const delta = setTitle(Todo.bottom, ann, 'x');
    expect([...delta.fields.keys()]).toEqual(['title']);
  });

  test('snapshots share unchanged fields', () => {
    let t = Todo.merge(Todo.bottom, Todo.update(Todo.bottom, ann, 'tags', (v, me) => ORSet.add(v, me, 'home')));
    const before = Todo.snapshot(t);
    t = Todo.merge(t, setTitle(t, ann, 'y'));
    expect(Todo.snapshot(t).tags).toBe(before.tags);
  });
});

describe('in a map', () => {
  test('removing a todo while another replica edits it leaves only the unseen edit', () => {
    const Todos = ORMap.of(Todo);
    let a = Todos.merge(Todos.bottom, Todos.update(Todos.bottom, ann, 't1', (t, me) => setTitle(t, me, 'Buy milk')));
    const b = Todos.merge(Todos.bottom, a);
    const removal = Todos.remove(a, ann, 't1');
    const edit = Todos.update(b, ben, 't1', (t, me) => Todo.update(t, me, 'tags', (v, me2) => ORSet.add(v, me2, 'urgent')));
    a = Todos.merge(Todos.merge(a, removal), edit);
    expect(Todos.snapshot(a)).toEqual({ t1: { title: [], done: [], tags: ['urgent'] } });
  });
});

describe('schema evolution and codecs', () => {
  const written = () => {
    let t = Todo.merge(Todo.bottom, setTitle(Todo.bottom, ann, 'Buy milk'));
    t = Todo.merge(t, Todo.update(t, ben, 'tags', (v, me) => ORSet.add(v, me, 'home')));
    return t;
  };

  test('golden vector', () => {
    // version, context {ann: 1, ben: 1}, two fields: tags ("home", ben 1) and title ("Buy milk", ann 1)
    expect(hex(Todo.encode(written()))).toBe('010203616e6e010362656e0100020474616773010622686f6d6522010101057469746c650100010a22427579206d696c6b22');
    expect(Todo.toJSON(written())).toEqual({
      context: { vector: [['ann', 1], ['ben', 1]], cloud: [] },
      entries: [['tags', [['home', [['ben', 1]]]]], ['title', [['ann', 1, 'Buy milk']]]],
    });
  });

  test('a type that gained a field decodes states written before, with the new field at its default', () => {
    const TodoV2 = Struct.of({ title: ORMap.register, done: ORMap.register, tags: ORMap.set, priority: ORMap.counter });
    const old = written();
    const fromBytes = TodoV2.decode(Todo.encode(old));
    const fromJson = TodoV2.fromJSON(JSON.parse(JSON.stringify(Todo.toJSON(old))));
    expect(TodoV2.snapshot(fromBytes)).toEqual({ title: ['Buy milk'], done: [], tags: ['home'], priority: 0 });
    expect(TodoV2.equals(fromBytes, fromJson)).toBe(true);
    const bumped = TodoV2.merge(fromBytes, TodoV2.update(fromBytes, ann, 'priority', (v, me) => ORMap.increment(v, me, 2)));
    expect(TodoV2.snapshot(bumped).priority).toBe(2);
  });

  test('a state with a field the type does not know is rejected, not silently dropped', () => {
    const TodoV2 = Struct.of({ title: ORMap.register, done: ORMap.register, tags: ORMap.set, priority: ORMap.counter });
    const newer = TodoV2.update(TodoV2.bottom, ann, 'priority', (v, me) => ORMap.increment(v, me, 1));
    expect(() => Todo.decode(TodoV2.encode(newer))).toThrow(DecodeError);
    expect(() => Todo.fromJSON(TodoV2.toJSON(newer))).toThrow(DecodeError);
  });

  test.each([
    ['fields out of order', [['title', [['ann', 1, 'x']]], ['tags', [['home', [['ann', 2]]]]]]],
    ['an empty field', [['title', []]]],
    ['a field name that is not a string', [[1, [['ann', 1, 'x']]]]],
  ])('fromJSON rejects %s', (_, entries) => {
    expect(() => Todo.fromJSON({ context: { vector: [['ann', 2]], cloud: [] }, entries })).toThrow(DecodeError);
  });
});
