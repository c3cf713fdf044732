import { canonicalKey, type JsonValue, type ReplicaId } from '@convergent/core';
import type { Clock } from '@convergent/hlc';
import * as LWWRegister from '@convergent/lww-register';
import * as MVRegister from '@convergent/mv-register';
import type { ORMap, ORMapType, RegisterStore } from '@convergent/or-map';
import type { Schema, Struct, StructType } from '@convergent/struct';
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
      for (const [key, { from, to }] of step) {
        // Changed since by someone else: keep their value.
        if (!same(access.read(current, key), to)) continue;
        const write = access.write(current, replica, key, from);
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
 * A map of MV-Registers (`ORMap.of(ORMap.register)`) as fields: one per key, its value
 * the array of the register's values. Clearing a field removes the key.
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
export function mapOfRegisters(type: ORMapType<MVRegister.MVRegister, RegisterStore, readonly JsonValue[]>): FieldAccess<ORMap<RegisterStore>> {
  return {
    bottom: type.bottom,
    merge: (a, b) => type.merge(a, b),
    keys: (state) => type.keys(state),
    read: (state, key) => (type.has(state, key) ? valuesOf(MVRegister.values(type.get(state, key))) : undefined),
    write: (state, replica, key, value) =>
      value === undefined ? type.remove(state, replica, key) : type.update(state, replica, key, (v, r) => setRegister(v, r, value)),
  };
}

/**
 * The register fields of a struct (fields of kind `ORMap.register`) as fields. Other
 * fields (counters, sets, nested maps) are not undone.
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
  type State = Struct<F>;
  type Field = keyof F & string;
  // The fields named are registers: their values are MV-Registers.
  const get = (state: State, key: string): MVRegister.MVRegister => type.get(state, key as Field) as unknown as MVRegister.MVRegister;
  return {
    bottom: type.bottom,
    merge: (a, b) => type.merge(a, b),
    keys: () => names,
    read: (state, key) => valuesOf(MVRegister.values(get(state, key))),
    write: (state, replica, key, value) =>
      type.update(state, replica, key as Field, ((v: MVRegister.MVRegister, r: ReplicaId) => setRegister(v, r, value)) as never),
  };
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
