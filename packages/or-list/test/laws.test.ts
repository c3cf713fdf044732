import type { JsonValue, ReplicaId } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as ORSet from '@convergent/or-set';
import * as Struct from '@convergent/struct';
import * as fc from 'fast-check';
import { describe, test } from 'vitest';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';
import * as ORList from '../src/index.js';

// A nested tree: a document struct whose `items` field is a list of structs, each
// with a counter, a set, a map of registers and a list of registers; and a map of
// such documents. Operations pick a path by small indexes, so that inserts,
// removes and edits keep meeting the same elements on different replicas.
const Sub = ORList.of(ORMap.register);
const Meta = ORMap.of(ORMap.register);
const Item = Struct.of({ n: ORMap.counter, tags: ORMap.set, meta: Meta, sub: Sub });
const Items = ORList.of(Item);
const Doc = Struct.of({ title: ORMap.register, items: Items });
const Docs = ORMap.of(Doc);
type DocState = typeof Doc.bottom;
type ItemState = typeof Item.bottom;

const small = fc.constantFrom<JsonValue>('a', 'b', 1);
const index = fc.nat(3);

type ItemOp =
  | { f: 'n'; by: number }
  | { f: 'tags'; value: JsonValue; drop: boolean }
  | { f: 'meta'; key: string; value: JsonValue; remove: boolean }
  | { f: 'sub'; at: number; value: JsonValue; how: 'insert' | 'set' | 'remove' };
const itemOp: fc.Arbitrary<ItemOp> = fc.oneof(
  fc.record({ f: fc.constant('n' as const), by: fc.integer({ min: -2, max: 3 }) }),
  fc.record({ f: fc.constant('tags' as const), value: small, drop: fc.boolean() }),
  fc.record({ f: fc.constant('meta' as const), key: fc.constantFrom('x', 'y'), value: small, remove: fc.boolean() }),
  fc.record({ f: fc.constant('sub' as const), at: index, value: small, how: fc.constantFrom('insert' as const, 'set' as const, 'remove' as const) }),
);

type DocOp = { title: JsonValue } | { at: number; how: 'insert' | 'remove' } | { at: number; op: ItemOp };
const docOp: fc.Arbitrary<DocOp> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ title: small }) },
  { weight: 2, arbitrary: fc.record({ at: index, how: fc.constantFrom('insert' as const, 'remove' as const) }) },
  { weight: 4, arbitrary: fc.record({ at: index, op: itemOp }) },
);

// An index past the end is clamped, so every operation does something when it can.
const clamp = (at: number, length: number) => Math.min(at, length);

function editItem(item: ItemState, op: ItemOp, r: ReplicaId): ItemState {
  switch (op.f) {
    case 'n':
      return Item.update(item, r, 'n', (v, me) => ORMap.increment(v, me, op.by));
    case 'tags':
      return Item.update(item, r, 'tags', (v, me) => (op.drop ? ORSet.remove(v, me, op.value) : ORSet.add(v, me, op.value)));
    case 'meta':
      return Item.update(item, r, 'meta', (v, me) =>
        op.remove ? Meta.remove(v, me, op.key) : Meta.update(v, me, op.key, (x, me2) => MVRegister.set(x, me2, op.value)),
      );
    case 'sub':
      return Item.update(item, r, 'sub', (list, me) => {
        const length = Sub.length(list);
        if (op.how === 'insert') return Sub.insert(list, me, clamp(op.at, length), (x, me2) => MVRegister.set(x, me2, op.value));
        if (length === 0) return Sub.bottom;
        const at = clamp(op.at, length - 1);
        return op.how === 'remove' ? Sub.remove(list, me, at) : Sub.update(list, me, at, (x, me2) => MVRegister.set(x, me2, op.value));
      });
  }
}

function editDoc(doc: DocState, op: DocOp, r: ReplicaId): DocState {
  if ('title' in op) return Doc.update(doc, r, 'title', (v, me) => MVRegister.set(v, me, op.title));
  return Doc.update(doc, r, 'items', (items, me) => {
    const length = Items.length(items);
    if ('how' in op && op.how === 'insert') return Items.insert(items, me, clamp(op.at, length));
    if (length === 0) return Items.bottom;
    const at = clamp(op.at, length - 1);
    return 'how' in op ? Items.remove(items, me, at) : Items.update(items, me, at, (item, me2) => editItem(item, op.op, me2));
  });
}

type DocsOp = { key: string; op: DocOp } | { key: string; remove: true };
const docsOp: fc.Arbitrary<DocsOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ key: fc.constantFrom('d1', 'd2'), op: docOp }) },
  { weight: 1, arbitrary: fc.record({ key: fc.constantFrom('d1', 'd2'), remove: fc.constant(true as const) }) },
);

type CounterListOp = { at: number; how: 'insert' | 'remove' | 'add' };
const Counters = ORList.of(ORMap.counter);

const specs = [
  {
    name: 'OR-List of causal counters',
    lattice: Counters,
    operation: fc.record({ at: index, how: fc.constantFrom('insert' as const, 'remove' as const, 'add' as const) }),
    mutate: (s, op, r) => {
      const length = Counters.length(s);
      if (op.how === 'insert') return Counters.insert(s, r, clamp(op.at, length), (v, me) => ORMap.increment(v, me, 1));
      if (length === 0) return Counters.bottom;
      const at = clamp(op.at, length - 1);
      return op.how === 'remove' ? Counters.remove(s, r, at) : Counters.update(s, r, at, (v, me) => ORMap.increment(v, me, 2));
    },
    ...Counters,
  } satisfies CrdtSpec<typeof Counters.bottom, CounterListOp>,
  { name: 'struct holding a list of structs (lists, maps, sets, counters inside)', lattice: Doc, operation: docOp, mutate: editDoc, ...Doc } satisfies CrdtSpec<DocState, DocOp>,
  {
    name: 'map of those structs (whole lists removed with their key)',
    lattice: Docs,
    operation: docsOp,
    mutate: (s, op, r) => ('remove' in op ? Docs.remove(s, r, op.key) : Docs.update(s, r, op.key, (doc, me) => editDoc(doc, op.op, me))),
    ...Docs,
  } satisfies CrdtSpec<typeof Docs.bottom, DocsOp>,
];

for (const spec of specs)
  describe(spec.name, () => {
    const typed = spec as CrdtSpec<unknown, unknown>;
    for (const law of [...laws(typed, lawScale), ...scenarios(typed, scenarioScale)]) test(law.name, () => law.run());
  });
