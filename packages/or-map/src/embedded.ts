import {
  canonicalKey,
  DecodeError,
  fromCanonicalKey,
  isJsonValue,
  jsonArray,
  PersistentMap,
  readJson,
  writeJson,
  type JsonValue,
  type ReplicaId,
} from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORSet from '@convergent/or-set';
import { DotContext, type Dot } from '@convergent/version-vector';
import { byDot, cachedSnapshot, dotFromJSON, readDot, writeDot, type Embeddable } from './embeddable.js';

/**
 * The dot store of an OR-Set inside a map: its `entries`.
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const store: ORMap.SetStore = ORMap.set.empty;
 * store.size; // => 0
 * ```
 */
export type SetStore = ORSet.ORSet['entries'];

const setOf = (entries: SetStore, context: DotContext): ORSet.ORSet => Object.freeze({ entries, context });

/**
 * `@convergent/or-set` as a map value: `ORMap.of(ORMap.set)` is a map of sets.
 * Update a value with `ORSet.add` / `ORSet.remove` (the value a map hands out is
 * an `ORSet`); removing the key removes the adds the remover had seen, and an add
 * made concurrently elsewhere survives alone. An unwritten set is empty; its
 * snapshot is the array of its elements.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 * import * as ORMap from '@convergent/or-map';
 *
 * const Tags = ORMap.of(ORMap.set);
 * const a = asReplicaId('a');
 * const tags = Tags.merge(Tags.bottom, Tags.update(Tags.bottom, a, 'todo-1', (v, r) => ORSet.add(v, r, 'urgent')));
 * Tags.snapshot(tags); // => { 'todo-1': ['urgent'] }
 * ```
 */
export const set: Embeddable<ORSet.ORSet, SetStore, readonly JsonValue[]> = Object.freeze<Embeddable<ORSet.ORSet, SetStore, readonly JsonValue[]>>({
  empty: ORSet.bottom.entries,
  depth: 1,
  view: setOf,
  storeOf: (state: ORSet.ORSet) => state.entries,
  isEmpty: (store: SetStore) => store.size === 0,
  join: (a: SetStore, ac: DotContext, b: SetStore, bc: DotContext) => ORSet.merge(setOf(a, ac), setOf(b, bc)).entries,
  equals: (a: SetStore, b: SetStore) => a === b || ORSet.equals(setOf(a, ORSet.bottom.context), setOf(b, ORSet.bottom.context)),
  dots: (store: SetStore) => [...store.values()].flatMap((dots) => ORSet.liveDots(dots).map(({ replica, counter }): [ReplicaId, number] => [replica, counter])),
  snapshot: cachedSnapshot((store: SetStore) => Object.freeze(ORSet.elements(setOf(store, ORSet.bottom.context)))),
  write(writer, store, replicas) {
    const keys = [...store.keys()].sort();
    writer.uint(keys.length);
    for (const key of keys) {
      const dots = ORSet.liveDots(store.get(key));
      writer.string(key).uint(dots.length);
      for (const { replica, counter } of dots) writeDot(writer, replicas, replica, counter);
    }
  },
  read(reader, replicas) {
    const entries: Array<[string, ORSet.ElementDots]> = [];
    let last: string | undefined;
    for (let n = reader.count(undefined, 4); n > 0; n--) {
      const at = reader.offset;
      const key = reader.string();
      if (last !== undefined && key <= last) reader.fail('elements out of order or repeated', at);
      last = key;
      try {
        fromCanonicalKey(key);
      } catch {
        reader.fail('not a canonical JSON value', at);
      }
      // One replica may hold several dots of an element, by ascending counter (see ORSet.ElementDots).
      const dots: Dot[] = [];
      let previous: [string, number] | undefined;
      for (let m = reader.count(undefined, 2); m > 0; m--) {
        const dot = readDot(reader, replicas);
        if (previous && byDot(previous, dot) >= 0) reader.fail('dots out of order', at);
        previous = dot;
        dots.push({ replica: dot[0], counter: dot[1] });
      }
      if (dots.length === 0) reader.fail('element without dots', at);
      entries.push([key, ORSet.elementDots(dots)]);
    }
    return PersistentMap.from(entries);
  },
  toJSON: (store: SetStore) =>
    [...store.keys()].sort().map((key) => [
      JSON.parse(key) as JsonValue,
      ORSet.liveDots(store.get(key)).map(({ replica, counter }): [ReplicaId, number] => [replica, counter]),
    ]),
  fromJSON(json, path) {
    const entries: Array<[string, ORSet.ElementDots]> = [];
    let last: string | undefined;
    jsonArray(json, path).forEach((entry, i) => {
      const at = `${path}[${i}]`;
      const pair = jsonArray(entry, at, 2);
      if (pair.length !== 2 || !isJsonValue(pair[0])) throw new DecodeError('expected [element, dots]', { path: at });
      const key = canonicalKey(pair[0]);
      if (last !== undefined && key <= last) throw new DecodeError('elements out of order or repeated', { path: at });
      last = key;
      const dots = jsonArray(pair[1], `${at}[1]`).map((dot, k) => dotFromJSON(dot, `${at}[1][${k}]`, 0));
      if (dots.length === 0 || dots.some((dot, k) => k > 0 && byDot(dots[k - 1]!, dot) >= 0))
        throw new DecodeError('dots empty, out of order or repeated', { path: at });
      entries.push([key, ORSet.elementDots(dots.map(([replica, counter]) => ({ replica, counter })))]);
    });
    return PersistentMap.from(entries);
  },
});

/**
 * The dot store of a multi-value register inside a map: its `entries`.
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const store: ORMap.RegisterStore = ORMap.register.empty;
 * store.length; // => 0
 * ```
 */
export type RegisterStore = MVRegister.MVRegister['entries'];

const registerOf = (entries: RegisterStore, context: DotContext): MVRegister.MVRegister => Object.freeze({ entries, context });
const sortedEntries = (entries: RegisterStore) => [...entries].sort((p, q) => byDot([p.dot.replica, p.dot.counter], [q.dot.replica, q.dot.counter]));

/**
 * `@convergent/mv-register` as a map value: `ORMap.of(ORMap.register)` is a map
 * of registers. Update a value with `MVRegister.set`; concurrent writes are all
 * kept until a later write replaces them. Removing the key removes the writes the
 * remover had seen; a write made concurrently elsewhere survives alone. An
 * unwritten register holds no value; its snapshot is the array of its current
 * values (`MVRegister.values`), `[]` when unwritten. (An LWW-Register carries no
 * dots, so it cannot be reset by a remove; this register is the one that embeds.)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import * as ORMap from '@convergent/or-map';
 *
 * const Settings = ORMap.of(ORMap.register);
 * const a = asReplicaId('a');
 * const s = Settings.merge(Settings.bottom, Settings.update(Settings.bottom, a, 'theme', (v, r) => MVRegister.set(v, r, 'dark')));
 * Settings.snapshot(s); // => { theme: ['dark'] }
 * ```
 */
export const register: Embeddable<MVRegister.MVRegister, RegisterStore, readonly JsonValue[]> = Object.freeze<Embeddable<MVRegister.MVRegister, RegisterStore, readonly JsonValue[]>>({
  empty: MVRegister.bottom.entries,
  depth: 1,
  view: registerOf,
  storeOf: (state: MVRegister.MVRegister) => state.entries,
  // `set` covers every earlier dot of its replica (`DotContext.upTo`); in a map those
  // may be other keys' values, so the delta keeps only this register's dots.
  scope: (old: RegisterStore, delta: MVRegister.MVRegister) =>
    DotContext.fromDots([...old, ...delta.entries].map((e) => e.dot).filter((dot) => DotContext.has(delta.context, dot))),
  isEmpty: (store: RegisterStore) => store.length === 0,
  join: (a: RegisterStore, ac: DotContext, b: RegisterStore, bc: DotContext) => {
    const out = MVRegister.merge(registerOf(a, ac), registerOf(b, bc)).entries;
    return register.equals(out, a) ? a : out;
  },
  equals: (a: RegisterStore, b: RegisterStore) =>
    a.length === b.length && a.every((e, i) => byDot([e.dot.replica, e.dot.counter], [b[i]!.dot.replica, b[i]!.dot.counter]) === 0 && canonicalKey(e.value) === canonicalKey(b[i]!.value)),
  dots: (store: RegisterStore) => store.map((e): [ReplicaId, number] => [e.dot.replica, e.dot.counter]),
  snapshot: cachedSnapshot((store: RegisterStore) => Object.freeze(MVRegister.values(registerOf(store, MVRegister.bottom.context)))),
  write(writer, store, replicas) {
    writer.uint(store.length);
    for (const { dot, value } of sortedEntries(store)) {
      writeDot(writer, replicas, dot.replica, dot.counter);
      writeJson(writer, value);
    }
  },
  read(reader, replicas) {
    const entries: MVRegister.Entry[] = [];
    for (let n = reader.count(undefined, 3); n > 0; n--) {
      const at = reader.offset;
      const [replica, counter] = readDot(reader, replicas);
      const previous = entries.at(-1)?.dot;
      if (previous && byDot([previous.replica, previous.counter], [replica, counter]) >= 0) reader.fail('values out of order or repeated', at);
      entries.push(Object.freeze({ dot: Object.freeze({ replica, counter }), value: deepFreeze(readJson(reader)) }));
    }
    return Object.freeze(entries);
  },
  toJSON: (store: RegisterStore) => sortedEntries(store).map(({ dot, value }) => [dot.replica, dot.counter, value]),
  fromJSON(json, path) {
    const entries: MVRegister.Entry[] = [];
    jsonArray(json, path).forEach((entry, i) => {
      const at = `${path}[${i}]`;
      const [replica, counter, value] = dotFromJSON(entry, at, 1);
      const previous = entries.at(-1)?.dot;
      if (previous && byDot([previous.replica, previous.counter], [replica, counter]) >= 0)
        throw new DecodeError('values out of order or repeated', { path: at });
      if (!isJsonValue(value)) throw new DecodeError('not a JSON value', { path: at });
      entries.push(Object.freeze({ dot: Object.freeze({ replica, counter }), value: deepFreeze(JSON.parse(canonicalKey(value)) as JsonValue) }));
    });
    return Object.freeze(entries);
  },
});

function deepFreeze(value: JsonValue): JsonValue {
  if (value !== null && typeof value === 'object') Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}
