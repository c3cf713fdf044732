// Undo of every embeddable value in structs and maps: counters, sets, nested maps and registers.
import { asReplicaId, type ReplicaId } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as ORSet from '@convergent/or-set';
import * as Struct from '@convergent/struct';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';
import { fields, mapFields, structFields, undoCounter, undoMap, undoRegister, undoSet, UndoManager, type FieldStep } from '../src/index.js';

const [me, you] = [asReplicaId('me'), asReplicaId('you')];
const Scores = ORMap.of(ORMap.counter);
const Item = Struct.of({ title: ORMap.register, qty: ORMap.counter, tags: ORMap.set, scores: Scores });
type Item = ReturnType<typeof Item.merge>;
const itemUndo = structFields(Item, { title: undoRegister, qty: undoCounter, tags: undoSet, scores: undoMap(Scores, undoCounter) });
const manager = (replica: ReplicaId) => new UndoManager<Item, unknown, FieldStep, unknown>({ kind: fields(itemUndo), replica, captureMs: 0 });

type Edit =
  | { field: 'title'; value: string }
  | { field: 'qty'; by: number }
  | { field: 'tags'; add: boolean; value: string }
  | { field: 'scores'; key: string; by: number; remove: boolean };

/** The delta of one edit of an item. */
function edit(item: Item, replica: ReplicaId, e: Edit): Item {
  switch (e.field) {
    case 'title':
      return Item.update(item, replica, 'title', (v, r) => MVRegister.set(v, r, e.value));
    case 'qty':
      return Item.update(item, replica, 'qty', (v, r) => ORMap.increment(v, r, e.by));
    case 'tags':
      return Item.update(item, replica, 'tags', (v, r) => (e.add ? ORSet.add(v, r, e.value) : ORSet.remove(v, r, e.value)));
    case 'scores':
      return Item.update(item, replica, 'scores', (v, r) =>
        e.remove ? Scores.remove(v, r, e.key) : Scores.update(v, r, e.key, (c, r2) => ORMap.increment(c, r2, e.by)),
      );
  }
}

/** A replica of `me` with an undo manager. */
function replica() {
  const undo = manager(me);
  let state = Item.bottom;
  return {
    get state() {
      return state;
    },
    local(e: Edit) {
      const d = edit(state, me, e);
      undo.capture(state, d);
      state = Item.merge(state, d);
    },
    /** A remote edit, made on `base` (default: after seeing everything here). */
    remote(e: Edit, base: Item = state) {
      state = Item.merge(state, edit(base, you, e));
    },
    /** Undoes; `false` when there was nothing to undo. */
    undo(): boolean {
      const result = undo.undo(state);
      state = result?.state ?? state;
      return result !== undefined;
    },
    redo(): boolean {
      const result = undo.redo(state);
      state = result?.state ?? state;
      return result !== undefined;
    },
  };
}

describe('fields undo: counters, sets and nested maps', () => {
  test('a counter: undo takes back this replica\'s own increment, and others\' increments, before and after, stay counted', () => {
    const r = replica();
    r.remote({ field: 'qty', by: 1 });
    r.local({ field: 'qty', by: 5 });
    r.remote({ field: 'qty', by: 10 });
    r.undo();
    expect(Item.snapshot(r.state).qty).toBe(11);
    r.redo();
    expect(Item.snapshot(r.state).qty).toBe(16);
  });

  test('a set: undo removes only this replica\'s add — an element someone else also added stays — and re-adds what the step removed', () => {
    const r = replica();
    r.remote({ field: 'tags', add: true, value: 'old' });
    r.local({ field: 'tags', add: true, value: 'red' });
    expect(r.undo()).toBe(true);
    expect(Item.snapshot(r.state).tags).toEqual(['old']);
    const base = r.state;
    r.local({ field: 'tags', add: true, value: 'blue' });
    r.remote({ field: 'tags', add: true, value: 'blue' }, base); // you add it too, concurrently
    // Taking back only my add leaves 'blue' there: the undo would change nothing anyone sees, so there is nothing to undo.
    expect(r.undo()).toBe(false);
    expect([...Item.snapshot(r.state).tags].sort()).toEqual(['blue', 'old']);
    r.local({ field: 'tags', add: false, value: 'old' });
    expect([...Item.snapshot(r.state).tags]).toEqual(['blue']);
    r.undo();
    expect([...Item.snapshot(r.state).tags].sort()).toEqual(['blue', 'old']);
  });

  test('a nested map of counters: undo removes an entry the step made, restores one it removed, and keeps an entry someone else brought back', () => {
    const r = replica();
    r.local({ field: 'scores', key: 'ann', by: 3, remove: false });
    r.undo();
    expect(Item.snapshot(r.state).scores).toEqual({});
    r.redo();
    expect(Item.snapshot(r.state).scores).toEqual({ ann: 3 });
    r.local({ field: 'scores', key: 'ann', by: 0, remove: true });
    r.undo();
    expect(Item.snapshot(r.state).scores).toEqual({ ann: 3 });
    r.local({ field: 'scores', key: 'ann', by: 0, remove: true });
    r.remote({ field: 'scores', key: 'ann', by: 7, remove: false }); // you start it again
    // Nothing of this replica's is left in it: no step changes anything any more.
    expect(r.undo()).toBe(false);
    expect(Item.snapshot(r.state).scores).toEqual({ ann: 7 });
  });

  test('a map of counters as fields: a counter entry holding others\' increments stays when this replica\'s first increment is undone', () => {
    const undo = new UndoManager({ kind: fields(mapFields(Scores, undoCounter)), replica: me, captureMs: 0 });
    let s = Scores.bottom;
    const mine = Scores.update(s, me, 'bob', (v, r) => ORMap.increment(v, r, 2));
    undo.capture(s, mine);
    s = Scores.merge(s, mine);
    s = Scores.merge(s, Scores.update(s, you, 'bob', (v, r) => ORMap.increment(v, r, 4)));
    expect(Scores.snapshot(undo.undo(s)!.state)).toEqual({ bob: 4 });
  });

  test('a register someone else wrote since, even with the same value, keeps their write', () => {
    const r = replica();
    r.local({ field: 'title', value: 'A' });
    r.remote({ field: 'title', value: 'A' });
    const before = r.state;
    expect(r.undo()).toBe(false);
    expect(Item.equals(r.state, before)).toBe(true);
  });
});

// Random sessions: three replicas edit one item, undo and redo, and exchange deltas in any order.
const replicas = ['a', 'b', 'c'].map(asReplicaId);
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ field: fc.constant('title' as const), value: fc.constantFrom('x', 'y', 'z') }),
  fc.record({ field: fc.constant('qty' as const), by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ field: fc.constant('tags' as const), add: fc.boolean(), value: fc.constantFrom('p', 'q', 'r') }),
  fc.record({ field: fc.constant('scores' as const), key: fc.constantFrom('k', 'l'), by: fc.integer({ min: -2, max: 2 }), remove: fc.boolean() }),
);
type Action = { who: number; edit: Edit } | { who: number; undo: boolean } | { who: number; from: number };
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ who: fc.nat(2), edit: editArb }) },
  { weight: 3, arbitrary: fc.record({ who: fc.nat(2), undo: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ who: fc.nat(2), from: fc.nat(2) }) },
);

/** What each replica other than `replica` wrote, at the level of dots: counter contributions, set adds, register writes. */
function othersWrites(item: Item, replica: ReplicaId): string {
  const out: unknown[] = [];
  for (const e of Item.get(item, 'title').entries) if (e.dot.replica !== replica) out.push(['title', e.dot, e.value]);
  for (const [who, c] of Item.get(item, 'qty').store) if (who !== replica) out.push(['qty', who, c]);
  for (const [element, dots] of Item.get(item, 'tags').entries) for (const [who, n] of dots) if (who !== replica) out.push(['tags', element, who, n]);
  const scores = Item.get(item, 'scores');
  for (const key of Scores.keys(scores)) for (const [who, c] of Scores.get(scores, key).store) if (who !== replica) out.push(['scores', key, who, c]);
  return JSON.stringify(out.map((x) => JSON.stringify(x)).sort());
}

describe('fields undo: random sessions of three replicas', () => {
  test('undo and redo never change what another replica wrote, and all replicas converge', () => {
    let reversals = 0;
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 20, maxLength: 80 }), (actions) => {
        const states = replicas.map(() => Item.bottom);
        const managers = replicas.map(manager);
        const log: Item[][] = replicas.map(() => []);
        for (const action of actions) {
          const i = action.who;
          const [state, id, undo] = [states[i]!, replicas[i]!, managers[i]!];
          let delta: Item | undefined;
          if ('edit' in action) {
            delta = edit(state, id, action.edit);
            undo.capture(state, delta);
          } else if ('undo' in action) {
            delta = (action.undo ? undo.undo(state) : undo.redo(state))?.delta;
            if (delta !== undefined) reversals++;
            if (delta !== undefined) expect(othersWrites(Item.merge(state, delta), id)).toBe(othersWrites(state, id));
          } else {
            for (const d of log[action.from]!) states[i] = Item.merge(states[i]!, d);
          }
          if (delta !== undefined) {
            states[i] = Item.merge(states[i]!, delta);
            log[i]!.push(delta);
          }
        }
        const all = log.flat();
        const final = states.map((s) => all.reduce((acc, d) => Item.merge(acc, d), s));
        for (const s of final) expect(Item.equals(s, final[0]!)).toBe(true);
      }),
      { numRuns: 200 },
    );
    // The sessions do undo and redo things.
    expect(reversals).toBeGreaterThan(400);
  });
});

// The law kit over item states reached with undo and redo among the operations.
type Op = { kind: 'edit'; edit: Edit } | { kind: 'undo' } | { kind: 'redo' };
const lawManagers = new Map<ReplicaId, ReturnType<typeof manager>>();
const lawManager = (replica: ReplicaId, state: Item) => {
  let m = lawManagers.get(replica);
  if (m === undefined || Item.equals(state, Item.bottom)) lawManagers.set(replica, (m = manager(replica)));
  return m;
};
const spec: CrdtSpec<Item, Op> = {
  name: 'struct of register, counter, set and map of counters, with undo and redo',
  lattice: Item,
  operation: fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('edit' as const), edit: editArb }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'undo' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'redo' as const }) },
  ),
  mutate(state, op, replica) {
    const m = lawManager(replica, state);
    if (op.kind !== 'edit') return m[op.kind](state)?.delta ?? Item.bottom;
    const delta = edit(state, replica, op.edit);
    m.capture(state, delta);
    return delta;
  },
  encode: Item.encode,
  decode: (bytes) => Item.decode(bytes),
  toJSON: Item.toJSON,
  fromJSON: Item.fromJSON,
};
for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());

test('undoSet takes back every dot of the replica for an element, the older ones kept out of order too', () => {
  const me = asReplicaId('me');
  const first = ORSet.add(ORSet.bottom, me, 'x');
  const second = ORSet.add(first, me, 'x');
  const third = ORSet.add(ORSet.merge(first, second), me, 'x');
  // The second add has not arrived: the element holds dots 1 and 3 of this replica.
  const value = ORSet.merge(first, third);
  expect(ORSet.liveDots(value.entries.get('"x"'))).toHaveLength(2);
  const back = undoSet.revert(value, me, { from: [], to: ['x'] })!;
  expect(ORSet.elements(ORSet.merge(value, back))).toEqual([]);
});
