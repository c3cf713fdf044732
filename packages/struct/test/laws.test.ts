import type { JsonValue, ReplicaId } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as ORSet from '@convergent/or-set';
import * as fc from 'fast-check';
import { describe, test } from 'vitest';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';
import * as Struct from '../src/index.js';

// A todo item with one field of every kind, and a map of such items.
const Todo = Struct.of({ title: ORMap.register, tags: ORMap.set, votes: ORMap.counter, notes: ORMap.of(ORMap.register) });
const Todos = ORMap.of(Todo);
const small = fc.constantFrom<JsonValue>('a', 'b', 1);

type FieldOp =
  | { field: 'title'; value: JsonValue }
  | { field: 'tags'; value: JsonValue; drop: boolean }
  | { field: 'votes'; by: number }
  | { field: 'notes'; key: string; value: JsonValue; remove: boolean };
const fieldOp: fc.Arbitrary<FieldOp> = fc.oneof(
  fc.record({ field: fc.constant('title' as const), value: small }),
  fc.record({ field: fc.constant('tags' as const), value: small, drop: fc.boolean() }),
  fc.record({ field: fc.constant('votes' as const), by: fc.integer({ min: -2, max: 3 }) }),
  fc.record({ field: fc.constant('notes' as const), key: fc.constantFrom('x', 'y'), value: small, remove: fc.boolean() }),
);

function edit(todo: typeof Todo.bottom, op: FieldOp, r: ReplicaId): typeof Todo.bottom {
  const Notes = ORMap.of(ORMap.register);
  switch (op.field) {
    case 'title':
      return Todo.update(todo, r, 'title', (v, me) => MVRegister.set(v, me, op.value));
    case 'tags':
      return Todo.update(todo, r, 'tags', (v, me) => (op.drop ? ORSet.remove(v, me, op.value) : ORSet.add(v, me, op.value)));
    case 'votes':
      return Todo.update(todo, r, 'votes', (v, me) => ORMap.increment(v, me, op.by));
    case 'notes':
      return Todo.update(todo, r, 'notes', (v, me) =>
        op.remove ? Notes.remove(v, me, op.key) : Notes.update(v, me, op.key, (n, me2) => MVRegister.set(n, me2, op.value)),
      );
  }
}

type ListOp = { id: string; op: FieldOp } | { id: string; remove: true };
const listOp: fc.Arbitrary<ListOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ id: fc.constantFrom('t1', 't2'), op: fieldOp }) },
  { weight: 1, arbitrary: fc.record({ id: fc.constantFrom('t1', 't2'), remove: fc.constant(true as const) }) },
);

const specs = [
  { name: 'struct of four kinds', lattice: Todo, operation: fieldOp, mutate: edit, ...Todo } satisfies CrdtSpec<typeof Todo.bottom, FieldOp>,
  {
    name: 'map of structs',
    lattice: Todos,
    operation: listOp,
    mutate: (s, op, r) => ('remove' in op ? Todos.remove(s, r, op.id) : Todos.update(s, r, op.id, (todo, me) => edit(todo, op.op, me))),
    ...Todos,
  } satisfies CrdtSpec<typeof Todos.bottom, ListOp>,
];

for (const spec of specs)
  describe(spec.name, () => {
    const typed = spec as CrdtSpec<unknown, unknown>;
    for (const law of [...laws(typed, lawScale), ...scenarios(typed, scenarioScale)]) test(law.name, () => law.run());
  });
