import { canonicalKey, type JsonValue, type ReplicaId } from '@convergent/core';
import type { Clock } from '@convergent/hlc';
import * as LWWRegister from '@convergent/lww-register';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import type { ORMapType, RegisterStore } from '@convergent/or-map';
import * as ORSet from '@convergent/or-set';
import type { FieldValue, Schema, Struct, StructType } from '@convergent/struct';
import { contextFromDots } from '@convergent/version-vector';
import type { UndoKind } from './manager.js';

/**
 * A type seen as named fields holding JSON values: what {@link fields} needs to undo
 * changes to it. {@link mapOfRegisters}, {@link structRegisters}, {@link lwwRegister}
 * and {@link mvRegister} describe this package's types; describe your own the same way.
 *
 * @typeParam S - the type's state
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import { mvRegister, type FieldAccess } from '@convergent/undo';
 *
 * const access: FieldAccess<MVRegister.MVRegister> = mvRegister;
 * access.read(MVRegister.set(MVRegister.bottom, asReplicaId('a'), 'x'), ''); // => ['x']
 * ```
 */
export interface FieldAccess<S> {
  /** The type's bottom: the empty delta. */
  readonly bottom: S;
  /**
   * The type's merge.
   * @param a - a state
   * @param b - another
   * @returns their join
   */
  merge(a: S, b: S): S;
  /**
   * The fields a state holds (a change to any other field is not seen).
   * @param state - a state
   * @returns field names
   */
  keys(state: S): Iterable<string>;
  /**
   * A field's value as this replica shows it.
   * @param state - a state
   * @param key - the field
   * @returns its value; `undefined` when it has none
   */
  read(state: S, key: string): JsonValue | undefined;
  /**
   * The delta that makes a field show `value`.
   * @param state - the current state
   * @param replica - this replica
   * @param key - the field
   * @param value - the value to show; `undefined` to clear the field
   * @returns the delta; `undefined` when the type cannot show that value (an LWW register cannot be cleared)
   */
  write(state: S, replica: ReplicaId, key: string, value: JsonValue | undefined): S | undefined;
  /**
   * The delta that reverses a step's change of a field, by the field's own rule
   * (optional: without it, a field is written back to `from` if it still shows `to`).
   * @param state - the current state
   * @param replica - this replica
   * @param key - the field
   * @param change - the step's change of it
   * @returns the delta; `undefined` when there is nothing to reverse
   */
  revert?(state: S, replica: ReplicaId, key: string, change: FieldChange): S | undefined;
}

/**
 * How one field changed in a step.
 *
 * @example
 * ```ts
 * import type { FieldChange } from '@convergent/undo';
 *
 * const firstWrite: FieldChange = { from: undefined, to: ['dark'] };
 * firstWrite.from; // => undefined
 * ```
 */
export interface FieldChange {
  /** Its value before the step (`undefined`: it had none). */
  readonly from: JsonValue | undefined;
  /** Its value after the step. */
  readonly to: JsonValue | undefined;
}

/**
 * One undo step of a type with fields: each field changed, with its value before the
 * step (`from`) and after it (`to`).
 *
 * @example
 * ```ts
 * import type { FieldStep } from '@convergent/undo';
 *
 * const step: FieldStep = new Map([['title', { from: ['Draft'], to: ['Final'] }]]);
 * step.get('title')!.to; // => ['Final']
 * ```
 */
export type FieldStep = ReadonlyMap<string, FieldChange>;

const same = (a: JsonValue | undefined, b: JsonValue | undefined): boolean =>
  a === undefined || b === undefined ? a === b : canonicalKey(a) === canonicalKey(b);

/**
 * The undo kind of a type with fields (maps, structs, registers). Undoing a step
 * restores, field by field, the value this replica saw before the step — unless the
 * field no longer shows the value the step left there: then someone else (or an
 * earlier undo) has changed it since, and **their value is kept**; that field is
 * skipped and the other fields are still restored. Redo follows the same rule. Values
 * are compared as JSON: a change that leaves the same value is not seen as a change.
 * An access with `revert` applies its own rule instead, per kind of value: counters
 * take back this replica's increments and keep everyone else's, sets its own adds and
 * removes (see {@link ValueUndo}).
 *
 * A register holding concurrent values (an MV-Register's siblings) cannot be
 * written back as a conflict: undo restores the first of them.
 *
 * @typeParam S - the type's state
 * @param access - how to read and write the type's fields
 * @returns the kind, for `new UndoManager({ kind: fields(access), replica })`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import * as ORMap from '@convergent/or-map';
 * import { fields, mapOfRegisters, UndoManager } from '@convergent/undo';
 *
 * const Settings = ORMap.of(ORMap.register);
 * const me = asReplicaId('me');
 * const undo = new UndoManager({ kind: fields(mapOfRegisters(Settings)), replica: me });
 * let s = Settings.bottom;
 * const dark = Settings.update(s, me, 'theme', (v, r) => MVRegister.set(v, r, 'dark'));
 * undo.capture(s, dark);
 * s = Settings.merge(s, dark);
 * Settings.snapshot(undo.undo(s)!.state); // => {}
 * ```
 */
export function fields<S>(access: FieldAccess<S>): UndoKind<S, unknown, FieldStep, unknown> {
  return {
    merge: (a, b) => access.merge(a, b),
    record(before, delta) {
      const after = access.merge(before, delta);
      const step = new Map<string, FieldChange>();
      for (const key of new Set([...access.keys(before), ...access.keys(after)])) {
        const from = access.read(before, key);
        const to = access.read(after, key);
        if (!same(from, to)) step.set(key, { from, to });
      }
      return step;
    },
    join(first, then) {
      const step = new Map(first);
      for (const [key, change] of then) {
        const from = first.get(key)?.from ?? (first.has(key) ? undefined : change.from);
        if (same(from, change.to)) step.delete(key);
        else step.set(key, { from, to: change.to });
      }
      return step;
    },
    isEmpty: (step) => step.size === 0,
    invert(state, replica, step) {
      let current = state;
      let delta: S | undefined;
      for (const [key, change] of step) {
        const write = access.revert
          ? access.revert(current, replica, key, change)
          : // Changed since by someone else: keep their value.
            same(access.read(current, key), change.to)
            ? access.write(current, replica, key, change.from)
            : undefined;
        if (write === undefined) continue;
        current = access.merge(current, write);
        delta = delta === undefined ? write : access.merge(delta, write);
      }
      return delta ?? access.bottom;
    },
  };
}

/** A register's values as one JSON value: `undefined` when it has none. */
const valuesOf = (values: readonly JsonValue[]): JsonValue | undefined => (values.length === 0 ? undefined : [...values]);

/** The state that shows `value` in an MV-Register: one new write, or no value at all (its writes removed). */
function setRegister(register: MVRegister.MVRegister, replica: ReplicaId, value: JsonValue | undefined): MVRegister.MVRegister {
  if (value !== undefined) return MVRegister.set(register, replica, (value as JsonValue[])[0]!);
  return Object.freeze({ entries: Object.freeze([]), context: contextFromDots(register.entries.map((e) => e.dot)) });
}

/**
 * How undo reads and reverses one kind of value held in a map entry or a struct field:
 * {@link undoRegister}, {@link undoCounter}, {@link undoSet}, and {@link undoMap} for a
 * nested map. {@link mapFields} and {@link structFields} take them.
 *
 * @typeParam T - the value's state, as the map's or struct's `get` gives it
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import { undoCounter, type ValueUndo } from '@convergent/undo';
 *
 * const counts: ValueUndo<ORMap.CausalCounter> = undoCounter;
 * const Scores = ORMap.of(ORMap.counter);
 * const s = Scores.update(Scores.bottom, asReplicaId('a'), 'ann', (v, r) => ORMap.increment(v, r, 3));
 * counts.read(Scores.get(s, 'ann')); // => 3
 * ```
 */
export interface ValueUndo<T> {
  /**
   * The value as JSON, compared to tell whether a step changed it.
   * @param value - the value
   * @returns its JSON form; `undefined` when it has none
   */
  read(value: T): JsonValue | undefined;
  /**
   * The delta that reverses `change` in the value as it is now, keeping what others did since.
   * @param value - the value now
   * @param replica - this replica
   * @param change - the step's change, as `read` saw it
   * @returns the delta; `undefined` when there is nothing to reverse
   */
  revert(value: T, replica: ReplicaId, change: FieldChange): T | undefined;
}

/**
 * A register (`ORMap.register`): undo writes back the values this replica saw before
 * the step (the first of them, when there were concurrent ones), or removes the value
 * when there was none — unless the register no longer shows what the step left there:
 * then someone else wrote it since, and their value is kept.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import { undoRegister } from '@convergent/undo';
 *
 * undoRegister.read(MVRegister.set(MVRegister.bottom, asReplicaId('a'), 'x')); // => ['x']
 * ```
 */
export const undoRegister: ValueUndo<MVRegister.MVRegister> = Object.freeze({
  read: (value: MVRegister.MVRegister) => valuesOf(MVRegister.values(value)),
  revert: (value: MVRegister.MVRegister, replica: ReplicaId, change: FieldChange) =>
    // Only a register that still holds this replica's writes, showing what the step left, is written back.
    value.entries.every((e) => e.dot.replica === replica) && same(valuesOf(MVRegister.values(value)), change.to)
      ? setRegister(value, replica, change.from)
      : undefined,
});

/**
 * A counter (`ORMap.counter`): undo increments it by the inverse of this replica's own
 * increments in the step. Increments commute, so others' increments — before, during
 * and after the step — all stay counted. When this replica's count is gone (its map
 * entry was removed since), there is nothing to take back and the step is skipped.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import * as Struct from '@convergent/struct';
 * import { undoCounter } from '@convergent/undo';
 *
 * const Item = Struct.of({ qty: ORMap.counter });
 * const item = Item.update(Item.bottom, asReplicaId('a'), 'qty', (v, r) => ORMap.increment(v, r, 2));
 * const back = undoCounter.revert(Item.get(item, 'qty'), asReplicaId('a'), { from: 0, to: 2 })!;
 * ORMap.count(back); // => 0
 * ```
 */
export const undoCounter: ValueUndo<ORMap.CausalCounter> = Object.freeze({
  read: (value: ORMap.CausalCounter) => ORMap.count(value),
  revert(value: ORMap.CausalCounter, replica: ReplicaId, change: FieldChange) {
    const mine = value.store.get(replica);
    // A map entry the step made, holding only this replica's count as the step left it: take the count away, so the entry goes.
    if (change.from === undefined && mine !== undefined && value.store.size === 1 && mine.value === change.to) {
      return Object.freeze({ store: new Map() as ORMap.CounterStore, context: contextFromDots([...(mine.earlier ?? []), mine].map(({ counter }) => ({ replica, counter }))) });
    }
    // This replica's increments were reset since (its map entry was removed): nothing of them is left to take back.
    if (change.to !== undefined && mine === undefined) return undefined;
    const by = ((change.from as number | undefined) ?? 0) - ((change.to as number | undefined) ?? 0);
    return by === 0 ? undefined : ORMap.increment(value, replica, by);
  },
});

/** A set's elements in canonical order, so that equal sets read the same. */
const elementsOf = (value: ORSet.ORSet): JsonValue[] =>
  ORSet.elements(value)
    .map((e): [string, JsonValue] => [canonicalKey(e), e])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e);

/**
 * A set (`ORMap.set` or an OR-Set): undo removes the elements the step added and adds
 * back those it removed, element by element, keeping what others did since. Removing
 * takes away only this replica's own adds of the element: if someone else added it too
 * (concurrently or since), it stays. An element the step removed is added back only if
 * it is not there already.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 * import { undoSet } from '@convergent/undo';
 *
 * const me = asReplicaId('me');
 * const tags = ORSet.add(ORSet.bottom, me, 'red');
 * const back = undoSet.revert(tags, me, { from: [], to: ['red'] })!;
 * ORSet.elements(ORSet.merge(tags, back)); // => []
 * ```
 */
export const undoSet: ValueUndo<ORSet.ORSet> = Object.freeze({
  read: (value: ORSet.ORSet) => elementsOf(value),
  revert(value: ORSet.ORSet, replica: ReplicaId, change: FieldChange) {
    const keysOf = (v: JsonValue | undefined): Map<string, JsonValue> => new Map(((v as JsonValue[] | undefined) ?? []).map((e) => [canonicalKey(e), e]));
    const [from, to] = [keysOf(change.from), keysOf(change.to)];
    let current = value;
    let delta: ORSet.ORSet | undefined;
    const apply = (d: ORSet.ORSet): void => {
      current = ORSet.merge(current, d);
      delta = delta === undefined ? d : ORSet.merge(delta, d);
    };
    for (const key of to.keys()) {
      const mine = from.has(key) ? [] : ORSet.liveDots(value.entries.get(key)).filter((dot) => dot.replica === replica);
      // Only this replica's adds go: the context names its dots alone.
      if (mine.length > 0) apply(Object.freeze({ entries: ORSet.bottom.entries, context: contextFromDots(mine) }));
    }
    for (const [key, element] of from) if (!to.has(key) && !current.entries.has(key)) apply(ORSet.add(current, replica, element));
    return delta;
  },
});

/** Reverses one entry's change in a map: the rule of {@link mapFields}. */
function revertEntry<T, S, V>(type: ORMapType<T, S, V>, value: ValueUndo<T>, state: ORMap.ORMap<S>, replica: ReplicaId, key: string, change: FieldChange): ORMap.ORMap<S> | undefined {
  // Added or removed by someone else since: keep theirs. (An entry whose value the revert empties is dropped by the map.)
  if (type.has(state, key) !== (change.to !== undefined)) return undefined;
  const delta = value.revert(type.get(state, key), replica, change);
  return delta === undefined ? undefined : type.update(state, replica, key, () => delta);
}

/** The JSON form of a map: each entry's, by key. */
function readMap<T, S, V>(type: ORMapType<T, S, V>, value: ValueUndo<T>, state: ORMap.ORMap<S>): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const key of type.keys(state)) {
    const v = value.read(type.get(state, key));
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * A nested map (`ORMap.of(kind)` as a map value or struct field), undone entry by
 * entry with `value`, by the rule of {@link mapFields}.
 *
 * @typeParam T - the entries' state
 * @typeParam S - the entries' store
 * @typeParam V - the entries' snapshot
 * @param type - the nested map's type
 * @param value - how to undo its entries
 * @returns the value undo, for {@link mapFields}, {@link structFields} or another `undoMap`
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import { undoCounter, undoMap } from '@convergent/undo';
 *
 * const Scores = ORMap.of(ORMap.counter);
 * undoMap(Scores, undoCounter).read(Scores.bottom); // => {}
 * ```
 */
export function undoMap<T, S, V>(type: ORMapType<T, S, V>, value: ValueUndo<T>): ValueUndo<ORMap.ORMap<S>> {
  return {
    read: (state) => readMap(type, value, state),
    revert(state, replica, change) {
      const [from, to] = [(change.from ?? {}) as { [key: string]: JsonValue }, (change.to ?? {}) as { [key: string]: JsonValue }];
      let current = state;
      let delta: ORMap.ORMap<S> | undefined;
      for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
        if (same(from[key], to[key])) continue;
        const d = revertEntry(type, value, current, replica, key, { from: from[key], to: to[key] });
        if (d === undefined) continue;
        current = type.merge(current, d);
        delta = delta === undefined ? d : type.merge(delta, d);
      }
      return delta;
    },
  };
}

/**
 * A map (`ORMap.of(kind)`) as fields, one per key, each undone with `value` (see
 * {@link undoRegister}, {@link undoCounter}, {@link undoSet}, {@link undoMap}). An
 * entry the step created goes again when reversing empties it (no one else wrote to
 * it: a counter holding others' increments stays, showing them). An entry the step
 * removed comes back with the value this replica saw. An entry someone else has
 * removed or brought back since is left as they made it.
 *
 * @typeParam T - the entries' state
 * @typeParam S - the entries' store
 * @typeParam V - the entries' snapshot
 * @param type - the map type
 * @param value - how to undo its entries
 * @returns the field access, for {@link fields}
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import { fields, mapFields, undoCounter, UndoManager } from '@convergent/undo';
 *
 * const Scores = ORMap.of(ORMap.counter);
 * const [me, you] = [asReplicaId('me'), asReplicaId('you')];
 * const undo = new UndoManager({ kind: fields(mapFields(Scores, undoCounter)), replica: me });
 * let s = Scores.update(Scores.bottom, you, 'ann', (v, r) => ORMap.increment(v, r, 1));
 * const mine = Scores.update(s, me, 'ann', (v, r) => ORMap.increment(v, r, 5));
 * undo.capture(s, mine);
 * s = Scores.merge(s, mine);
 * s = Scores.merge(s, Scores.update(s, you, 'ann', (v, r) => ORMap.increment(v, r, 10)));
 * Scores.snapshot(undo.undo(s)!.state); // => { ann: 11 }
 * ```
 */
export function mapFields<T, S, V>(type: ORMapType<T, S, V>, value: ValueUndo<T>): FieldAccess<ORMap.ORMap<S>> {
  return {
    bottom: type.bottom,
    merge: (a, b) => type.merge(a, b),
    keys: (state) => type.keys(state),
    read: (state, key) => (type.has(state, key) ? value.read(type.get(state, key)) : undefined),
    write(state, replica, key, to) {
      const now = type.has(state, key) ? value.read(type.get(state, key)) : undefined;
      return revertEntry(type, value, state, replica, key, { from: to, to: now });
    },
    revert: (state, replica, key, change) => revertEntry(type, value, state, replica, key, change),
  };
}

/**
 * A map of MV-Registers (`ORMap.of(ORMap.register)`) as fields: one per key, its value
 * the array of the register's values. Clearing a field removes the key. The same as
 * `mapFields(type, undoRegister)`.
 *
 * @param type - the map type
 * @returns the field access, for {@link fields}
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import * as ORMap from '@convergent/or-map';
 * import { mapOfRegisters } from '@convergent/undo';
 *
 * const Settings = ORMap.of(ORMap.register);
 * const access = mapOfRegisters(Settings);
 * const s = Settings.update(Settings.bottom, asReplicaId('a'), 'theme', (v, r) => MVRegister.set(v, r, 'dark'));
 * access.read(s, 'theme'); // => ['dark']
 * ```
 */
export function mapOfRegisters(type: ORMapType<MVRegister.MVRegister, RegisterStore, readonly JsonValue[]>): FieldAccess<ORMap.ORMap<RegisterStore>> {
  return mapFields(type, undoRegister);
}

/**
 * How to undo each field of a struct: a {@link ValueUndo} per field, of the field's kind.
 *
 * @typeParam F - the struct's schema
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import { undoCounter, undoRegister, type StructUndo } from '@convergent/undo';
 *
 * const schema = { title: ORMap.register, qty: ORMap.counter };
 * const undo: StructUndo<typeof schema> = { title: undoRegister, qty: undoCounter };
 * Object.keys(undo); // => ['title', 'qty']
 * ```
 */
export type StructUndo<F extends Schema> = { readonly [K in keyof F & string]?: ValueUndo<FieldValue<F[K]>> };

/**
 * The fields of a struct as fields, each undone by its own {@link ValueUndo}: registers
 * with {@link undoRegister}, counters with {@link undoCounter}, sets with {@link undoSet},
 * nested maps with {@link undoMap}. Fields left out of `undo` are not undone (nested
 * structs and lists have no value undo yet).
 *
 * @typeParam F - the struct's schema
 * @param type - the struct type
 * @param undo - per field, how to undo it
 * @returns the field access, for {@link fields}
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import * as ORSet from '@convergent/or-set';
 * import * as Struct from '@convergent/struct';
 * import { fields, structFields, undoCounter, undoSet, UndoManager } from '@convergent/undo';
 *
 * const Item = Struct.of({ qty: ORMap.counter, tags: ORMap.set });
 * const me = asReplicaId('me');
 * const undo = new UndoManager({ kind: fields(structFields(Item, { qty: undoCounter, tags: undoSet })), replica: me });
 * let item = Item.bottom;
 * const edit = (d: typeof item): void => {
 *   undo.capture(item, d); // within 500 ms of each other: one step
 *   item = Item.merge(item, d);
 * };
 * edit(Item.update(item, me, 'qty', (v, r) => ORMap.increment(v, r, 2)));
 * edit(Item.update(item, me, 'tags', (v, r) => ORSet.add(v, r, 'new')));
 * Item.snapshot(undo.undo(item)!.state); // => { qty: 0, tags: [] }
 * ```
 */
export function structFields<F extends Schema>(type: StructType<F>, undo: StructUndo<F>): FieldAccess<Struct<F>> {
  type Field = keyof F & string;
  // Each field's value undo is of that field's kind.
  const of = (key: string): ValueUndo<unknown> => undo[key as Field] as ValueUndo<unknown>;
  const get = (state: Struct<F>, key: string): unknown => type.get(state, key as Field);
  const revert = (state: Struct<F>, replica: ReplicaId, key: string, change: FieldChange): Struct<F> | undefined => {
    const delta = of(key).revert(get(state, key), replica, change);
    return delta === undefined ? undefined : type.update(state, replica, key as Field, (() => delta) as never);
  };
  return {
    bottom: type.bottom,
    merge: (a, b) => type.merge(a, b),
    keys: () => Object.keys(undo).filter((key) => undo[key as Field] !== undefined),
    read: (state, key) => of(key).read(get(state, key)),
    write: (state, replica, key, value) => revert(state, replica, key, { from: value, to: of(key).read(get(state, key)) }),
    revert,
  };
}

/**
 * The register fields of a struct (fields of kind `ORMap.register`) as fields: the same
 * as {@link structFields} with {@link undoRegister} for each field named.
 *
 * @typeParam F - the struct's schema
 * @param type - the struct type
 * @param names - its register fields to undo
 * @returns the field access, for {@link fields}
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import * as ORMap from '@convergent/or-map';
 * import * as Struct from '@convergent/struct';
 * import { structRegisters } from '@convergent/undo';
 *
 * const Todo = Struct.of({ title: ORMap.register, done: ORMap.register });
 * const access = structRegisters(Todo, ['title', 'done']);
 * const t = Todo.update(Todo.bottom, asReplicaId('a'), 'title', (v, r) => MVRegister.set(v, r, 'Milk'));
 * access.read(t, 'title'); // => ['Milk']
 * ```
 */
export function structRegisters<F extends Schema>(type: StructType<F>, names: ReadonlyArray<keyof F & string>): FieldAccess<Struct<F>> {
  return structFields(type, Object.fromEntries(names.map((name) => [name, undoRegister])) as StructUndo<F>);
}

/**
 * A stand-alone MV-Register as one field, named `''`, its value the array of its
 * values. Clearing it removes the writes this replica has seen.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import { mvRegister } from '@convergent/undo';
 *
 * mvRegister.read(MVRegister.bottom, ''); // => undefined
 * ```
 */
export const mvRegister: FieldAccess<MVRegister.MVRegister> = Object.freeze({
  bottom: MVRegister.bottom,
  merge: MVRegister.merge,
  keys: () => [''],
  read: (state: MVRegister.MVRegister) => valuesOf(MVRegister.values(state)),
  write: (state: MVRegister.MVRegister, replica: ReplicaId, _key: string, value: JsonValue | undefined) => setRegister(state, replica, value),
});

/**
 * A stand-alone LWW-Register as one field, named `''`. It cannot be cleared: undoing
 * its first write leaves the register as it is.
 *
 * @param clock - this replica's hybrid logical clock (the one its writes use)
 * @returns the field access, for {@link fields}
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { Clock } from '@convergent/hlc';
 * import * as LWWRegister from '@convergent/lww-register';
 * import { lwwRegister } from '@convergent/undo';
 *
 * const access = lwwRegister(new Clock(asReplicaId('a')));
 * access.read(LWWRegister.bottom, ''); // => undefined
 * ```
 */
export function lwwRegister(clock: Clock): FieldAccess<LWWRegister.LWWRegister> {
  return {
    bottom: LWWRegister.bottom,
    merge: LWWRegister.merge,
    keys: () => [''],
    read: (state) => LWWRegister.get(state),
    write: (state, _replica, _key, value) => (value === undefined ? undefined : LWWRegister.set(state, clock, value)),
  };
}
