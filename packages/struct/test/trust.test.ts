import { asReplicaId, DEFAULT_LIMITS, DecodeError, MergeRejectedError, type ReplicaId } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as ORSet from '@convergent/or-set';
import { expect, test } from 'vitest';
import * as Struct from '../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const [ann, ben] = ['ann', 'ben'].map(asReplicaId) as [ReplicaId, ReplicaId];
const Todo = Struct.of({ title: ORMap.register, tags: ORMap.set, votes: ORMap.counter });
const state = Todo.merge(Todo.bottom, Todo.update(Todo.bottom, ann, 'title', (v, r) => MVRegister.set(v, r, 'Buy milk')));

test('validateMerge refuses a field value under a dot one short of the end; the state is as it was', () => {
  const hostile = Todo.fromJSON({ context: { vector: [], cloud: [['evil', [MAX - 1]]] }, entries: [['tags', [['x', [['evil', MAX - 1]]]]]] });
  const before = Todo.encode(state);
  expect(() => Todo.validateMerge(state, hostile)).toThrow(MergeRejectedError);
  expect(Todo.encode(state)).toEqual(before);
});

test("validateMerge refuses a context naming Ann's dot MAX_SAFE_INTEGER (she could never write again)", () => {
  const hostile = Todo.fromJSON({ context: { vector: [['ann', MAX]], cloud: [] }, entries: [] });
  expect(() => Todo.update(Todo.merge(state, hostile), ann, 'votes', (v, r) => ORMap.increment(v, r, 1))).toThrow(RangeError);
  expect(() => Todo.validateMerge(state, hostile)).toThrow(MergeRejectedError);
  Todo.validateMerge(state, Todo.update(state, ben, 'tags', (v, r) => ORSet.add(v, r, 'home')));
});

test('authors: the writer of the field values, not the dots of the context', () => {
  expect([...Todo.authors(Todo.update(state, ben, 'title', (v, r) => MVRegister.set(v, r, 'Buy tea')))]).toEqual(['ben']);
  expect([...Todo.authors(Todo.update(state, ben, 'tags', (v, r) => ORSet.remove(v, r, 'home')))]).toEqual([]);
  const forged = Todo.fromJSON({ context: { vector: [['ann', 2]], cloud: [] }, entries: [['votes', [['ann', 2, 1000]]]] });
  expect([...Todo.authors(forged)]).toEqual(['ann']);
});

test('decode: maxCount bounds the fields and the replicas', () => {
  const both = Todo.merge(state, Todo.update(state, ben, 'tags', (v, r) => ORSet.add(v, r, 'home')));
  const bytes = Todo.encode(both);
  expect(Todo.equals(Todo.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 2 }), both)).toBe(true);
  expect(() => Todo.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 1 })).toThrow(DecodeError);
});
