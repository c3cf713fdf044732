import type { JsonValue, ReplicaId } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as MVRegister from '@convergent/mv-register';
import * as ORSet from '@convergent/or-set';
import * as fc from 'fast-check';
import { describe, test } from 'vitest';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';
import * as ORMap from '../src/index.js';

// Few keys and values, so that updates and removes keep meeting.
const key = fc.constantFrom('milk', 'eggs', 'tea');
const element = fc.constantFrom<JsonValue>('a', 'b', 1);

type CounterOp = { key: string; by: number } | { key: string; remove: true };
const Counters = ORMap.of(ORMap.counter);
const counterOp: fc.Arbitrary<CounterOp> = fc.oneof(
  fc.record({ key, by: fc.integer({ min: -3, max: 5 }) }),
  fc.record({ key, remove: fc.constant(true as const) }),
);

type SetOp = { key: string; add: JsonValue } | { key: string; drop: JsonValue } | { key: string; remove: true };
const Sets = ORMap.of(ORMap.set);
const setOp: fc.Arbitrary<SetOp> = fc.oneof(
  fc.record({ key, add: element }),
  fc.record({ key, drop: element }),
  fc.record({ key, remove: fc.constant(true as const) }),
);

type RegisterOp = { key: string; write: JsonValue } | { key: string; remove: true };
const Registers = ORMap.of(ORMap.register);
const registerOp: fc.Arbitrary<RegisterOp> = fc.oneof(
  fc.record({ key, write: element }),
  fc.record({ key, remove: fc.constant(true as const) }),
);

// Three levels: user → list → item → counter; an operation updates a counter or
// removes a key at any level.
const Lists = ORMap.of(ORMap.counter);
const Users = ORMap.of(Lists);
const Root = ORMap.of(Users);
type NestedOp = { path: [string, string, string]; by: number; removeAt: 0 | 1 | 2 | 3 };
const nestedOp: fc.Arbitrary<NestedOp> = fc.record({
  path: fc.tuple(fc.constantFrom('ann', 'bob'), fc.constantFrom('home', 'work'), key),
  by: fc.integer({ min: -2, max: 4 }),
  removeAt: fc.constantFrom<0 | 1 | 2 | 3>(0, 0, 0, 1, 2, 3),
});

function nested(state: typeof Root.bottom, op: NestedOp, r: ReplicaId) {
  const [user, list, item] = op.path;
  if (op.removeAt === 1) return Root.remove(state, r, user);
  return Root.update(state, r, user, (lists, r2) =>
    op.removeAt === 2
      ? Users.remove(lists, r2, list)
      : Users.update(lists, r2, list, (items, r3) =>
          op.removeAt === 3 ? Lists.remove(items, r3, item) : Lists.update(items, r3, item, (c, r4) => ORMap.increment(c, r4, op.by)),
        ),
  );
}

const specs = [
  {
    name: 'OR-Map of causal counters',
    lattice: Counters,
    operation: counterOp,
    mutate: (s, op, r) => ('remove' in op ? Counters.remove(s, r, op.key) : Counters.update(s, r, op.key, (v, me) => ORMap.increment(v, me, op.by))),
    ...Counters,
  } satisfies CrdtSpec<ORMap.ORMap<ORMap.CounterStore>, CounterOp>,
  {
    name: 'OR-Map of OR-Sets',
    lattice: Sets,
    operation: setOp,
    mutate: (s, op, r) =>
      'remove' in op
        ? Sets.remove(s, r, op.key)
        : Sets.update(s, r, op.key, (v, me) => ('add' in op ? ORSet.add(v, me, op.add) : ORSet.remove(v, me, op.drop))),
    ...Sets,
  } satisfies CrdtSpec<ORMap.ORMap<ORMap.SetStore>, SetOp>,
  {
    name: 'OR-Map of MV-Registers',
    lattice: Registers,
    operation: registerOp,
    mutate: (s, op, r) => ('remove' in op ? Registers.remove(s, r, op.key) : Registers.update(s, r, op.key, (v, me) => MVRegister.set(v, me, op.write))),
    ...Registers,
  } satisfies CrdtSpec<ORMap.ORMap<ORMap.RegisterStore>, RegisterOp>,
  {
    name: 'OR-Map three levels deep',
    lattice: Root,
    operation: nestedOp,
    mutate: nested,
    ...Root,
  } satisfies CrdtSpec<ReturnType<typeof Root.merge>, NestedOp>,
];

for (const spec of specs)
  describe(spec.name, () => {
    const typed = spec as CrdtSpec<unknown, unknown>;
    for (const law of [...laws(typed, lawScale), ...scenarios(typed, scenarioScale)]) test(law.name, () => law.run());
  });
