import { DecodeError, InvalidValueError, jsonArray, jsonString, PersistentMap, type Reader, type ReplicaId, type Writer } from '@convergent/core';
import { DotContext, mergeKeyed, type KeyedDots } from '@convergent/version-vector';
import { causal, type CausalType } from './causal.js';
import { cachedSnapshot, deltaOf, isLive, nestedChecks, resetOf, type Embeddable, type HasContext, type HasKind } from './embeddable.js';

/**
 * A state of an observed-remove map: per key, the value's dot store, and the one
 * causal context every value shares. Keys whose value holds no live dot are
 * absent (no tombstones: a removed key leaves only its dots in the context). An
 * immutable value.
 *
 * @typeParam S - the values' dot store
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const cart: ORMap.ORMap<ORMap.CounterStore> = Cart.bottom;
 * cart.entries.size; // => 0
 * ```
 */
export type ORMap<S> = KeyedDots<S>;

/**
 * The plain snapshot of a map: an object with a property per live key, frozen.
 * Snapshots of successive states share every value that did not change.
 *
 * @typeParam V - the values' snapshot
 *
 * @example
 * ```ts
 * import type { Snapshot } from '@convergent/or-map';
 *
 * const cart: Snapshot<number> = { milk: 1 };
 * cart.milk; // => 1
 * ```
 */
export type Snapshot<V> = { readonly [key: string]: V };

/**
 * A map type: the lattice of its states, its mutators, queries and codecs, and,
 * as `kind`, the map as a value of another map. Made by {@link of}.
 *
 * @typeParam T - the values' state, as their mutators take it
 * @typeParam S - the values' dot store
 * @typeParam V - the values' snapshot
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const Cart: ORMap.ORMapType<ORMap.CausalCounter, ORMap.CounterStore, number> = ORMap.of(ORMap.counter);
 * Cart.size(Cart.bottom); // => 0
 * ```
 */
export interface ORMapType<T, S, V> extends CausalType<ORMap<S>> {
  /** The map as the value of an enclosing map: `ORMap.of(Inner)` nests it. */
  readonly kind: Embeddable<ORMap<S>, PersistentMap<S>, Snapshot<V>>;
  /**
   * Delta mutator: changes the value of `key` through its own type's mutator.
   * The mutator receives the value as the map holds it (the schema default when
   * unwritten) and returns its delta; the map's delta holds that value's delta
   * alone.
   * @param state - the replica's current state
   * @param replica - the acting replica
   * @param key - the key
   * @param mutate - the value's delta mutator
   * @returns the delta
   */
  update(state: ORMap<S>, replica: ReplicaId, key: string, mutate: (value: T, replica: ReplicaId) => T): ORMap<S>;
  /**
   * Delta mutator: removes `key`, that is, every dot of its value this replica
   * has seen (observed-remove with reset). A concurrent update elsewhere survives,
   * alone. Removing an absent key returns the bottom state.
   * @param state - the replica's current state
   * @param replica - the acting replica (a remove makes no dot)
   * @param key - the key
   * @returns the delta: the removed dots as its context, and no entries (for a
   * value holding text, what the text's `reset` leaves: its characters deleted)
   */
  remove(state: ORMap<S>, replica: ReplicaId, key: string): ORMap<S>;
  /**
   * The value of `key` as its mutators take it: the schema default when absent.
   * @param state - a state
   * @param key - the key
   * @returns the value
   */
  get(state: ORMap<S>, key: string): T;
  /**
   * Whether `key` holds a live value.
   * @param state - a state
   * @param key - the key
   * @returns `true` when present
   */
  has(state: ORMap<S>, key: string): boolean;
  /**
   * The live keys, ascending.
   * @param state - a state
   * @returns the keys
   */
  keys(state: ORMap<S>): string[];
  /**
   * The live keys with their values, keys ascending.
   * @param state - a state
   * @returns `[key, value]` pairs
   */
  entries(state: ORMap<S>): Array<[string, T]>;
  /**
   * The number of live keys.
   * @param state - a state
   * @returns the count
   */
  size(state: ORMap<S>): number;
  /**
   * The plain snapshot, for rendering: structurally shared with earlier snapshots.
   * @param state - a state
   * @returns a frozen plain object
   */
  snapshot(state: ORMap<S>): Snapshot<V>;
}

/**
 * The deepest nesting of map types {@link of} accepts: a map of maps of ... of
 * leaf values, this many levels in all. Decoders never recurse deeper than their
 * type's schema, so this bounds their depth too.
 *
 * @example
 * ```ts
 * import { MAX_DEPTH } from '@convergent/or-map';
 *
 * MAX_DEPTH; // => 16
 * ```
 */
export const MAX_DEPTH = 16;

/**
 * Makes the type of observed-remove maps (Almeida, Shoker and Baquero 2018) from
 * string keys to values of one embeddable type: {@link counter}, {@link set},
 * {@link register}, or another map type (maps in maps). Every value shares the
 * map's causal context, so removing a key resets exactly what the remover had
 * seen of its value. An unwritten key holds its type's default, with no dots.
 *
 * @typeParam T - the values' state
 * @typeParam S - the values' dot store
 * @typeParam V - the values' snapshot
 * @param value - the values' kind, or a map type made by `of`
 * @returns the map type
 * @throws RangeError if maps nest deeper than {@link MAX_DEPTH}
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const [alice, bob] = [asReplicaId('alice'), asReplicaId('bob')];
 * const add = (r: typeof alice, n: number) => (milk: ORMap.CausalCounter, me: typeof alice) => ORMap.increment(milk, me, n);
 * let both = Cart.merge(Cart.bottom, Cart.update(Cart.bottom, alice, 'milk', add(alice, 3)));
 * const removed = Cart.remove(both, alice, 'milk');
 * const added = Cart.update(both, bob, 'milk', add(bob, 1));
 * Cart.snapshot(Cart.merge(Cart.merge(both, removed), added)); // => { milk: 1 }
 * ```
 */
export function of<T, S, V>(value: Embeddable<T, S, V> | HasKind<Embeddable<T, S, V>>): ORMapType<T, S, V> {
  const kind: Embeddable<T, S, V> = 'kind' in value ? value.kind : value;
  if (kind.depth + 1 > MAX_DEPTH) throw new RangeError(`maps nest at most ${MAX_DEPTH} levels deep`);
  type M = ORMap<S>;
  type Store = PersistentMap<S>;
  const state = (entries: Store, context: DotContext): M => Object.freeze({ entries, context });
  const bottom = state(PersistentMap.empty(), DotContext.bottom);
  const keyOf = (key: unknown): string => {
    if (typeof key !== 'string') throw new InvalidValueError('map keys are strings');
    return key;
  };

  // Keys whose value is not live are kept only for kinds that remember something
  // after a remove (text); every query shows live keys only.
  const liveKeys = (store: Store): string[] => [...store.keys()].filter((key) => !kind.live || kind.live(store.get(key)!)).sort();
  const mapKind: Embeddable<M, Store, Snapshot<V>> = Object.freeze({
    empty: bottom.entries,
    ...(kind.live && { live: (store: Store) => [...store.values()].some(kind.live!) }),
    ...(kind.reset && {
      reset: (store: Store, replica: ReplicaId) =>
        PersistentMap.from([...store].map(([key, v]): [string, S] => [key, kind.reset!(v, replica)]).filter(([, v]) => !kind.isEmpty(v))),
    }),
    depth: kind.depth + 1,
    ...nestedChecks([kind], function* (store: Store) {
      for (const v of store.values()) yield [kind, v] as const;
    }),
    view: state,
    storeOf: (s: M) => s.entries,
    isEmpty: (store: Store) => store.size === 0,
    join: (a: Store, ac: DotContext, b: Store, bc: DotContext) =>
      mergeKeyed(
        { entries: a, context: ac },
        { entries: b, context: bc },
        (x, cx, y, cy) => {
          const joined = kind.join(x ?? kind.empty, cx, y ?? kind.empty, cy);
          return kind.isEmpty(joined) ? undefined : joined;
        },
        (held) => kind.dots(held),
      ),
    equals: (a: Store, b: Store) => a === b || (a.size === b.size && [...a].every(([key, v]) => b.has(key) && kind.equals(v, b.get(key)!))),
    dots: (store: Store) => {
      const all: Array<readonly [ReplicaId, number]> = [];
      store.forEach((v) => {
        for (const dot of kind.dots(v)) all.push(dot);
      });
      return all;
    },
    snapshot: cachedSnapshot((store: Store) =>
      Object.freeze(Object.fromEntries(liveKeys(store).map((key) => [key, kind.snapshot(store.get(key)!)]))),
    ),
    write(writer: Writer, store: Store, replicas: ReadonlyMap<ReplicaId, number>) {
      const keys = [...store.keys()].sort();
      writer.uint(keys.length);
      for (const key of keys) {
        writer.string(key);
        kind.write(writer, store.get(key)!, replicas);
      }
    },
    read(reader: Reader, replicas: readonly ReplicaId[]) {
      const entries: Array<[string, S]> = [];
      let last: string | undefined;
      for (let n = reader.count(undefined, 2); n > 0; n--) {
        const at = reader.offset;
        const key = reader.string();
        if (last !== undefined && key <= last) reader.fail('keys out of order or repeated', at);
        last = key;
        const v = kind.read(reader, replicas);
        if (kind.isEmpty(v)) reader.fail('key without a live value', at);
        entries.push([key, v]);
      }
      return PersistentMap.from(entries);
    },
    toJSON: (store: Store) => [...store.keys()].sort().map((key) => [key, kind.toJSON(store.get(key)!)]),
    fromJSON(json: unknown, path: string) {
      const entries: Array<[string, S]> = [];
      let last: string | undefined;
      jsonArray(json, path).forEach((entry, i) => {
        const at = `${path}[${i}]`;
        const pair = jsonArray(entry, at, 2);
        if (pair.length !== 2) throw new DecodeError('expected [key, value]', { path: at });
        const key = jsonString(pair[0], at);
        if (last !== undefined && key <= last) throw new DecodeError('keys out of order or repeated', { path: at });
        last = key;
        const v = kind.fromJSON(pair[1], `${at}[1]`);
        if (kind.isEmpty(v)) throw new DecodeError('key without a live value', { path: at });
        entries.push([key, v]);
      });
      return PersistentMap.from(entries);
    },
  });

  const get = (s: M, key: string): T => kind.view(s.entries.get(keyOf(key)) ?? kind.empty, s.context);

  return Object.freeze({
    ...causal(mapKind),
    kind: mapKind,
    update(s: M, replica: ReplicaId, key: string, mutate: (v: T, replica: ReplicaId) => T): M {
      const old = s.entries.get(keyOf(key)) ?? kind.empty;
      const { store, context } = deltaOf(kind as Embeddable<T & HasContext, S, V>, old, mutate(kind.view(old, s.context), replica) as T & HasContext);
      return state(kind.isEmpty(store) ? bottom.entries : bottom.entries.set(key, store), context);
    },
    remove(s: M, replica: ReplicaId, key: string): M {
      const store = s.entries.get(keyOf(key));
      if (!store) return bottom;
      const left = resetOf(kind, store, replica);
      return state(
        kind.isEmpty(left) ? bottom.entries : bottom.entries.set(key, left),
        DotContext.fromDots([...kind.dots(store)].map(([r, counter]) => ({ replica: r, counter }))),
      );
    },
    get,
    has: (s: M, key: string) => {
      const store = s.entries.get(keyOf(key));
      return store !== undefined && isLive(kind, store);
    },
    keys: (s: M) => liveKeys(s.entries),
    entries: (s: M) => liveKeys(s.entries).map((key): [string, T] => [key, kind.view(s.entries.get(key)!, s.context)]),
    size: (s: M) => (kind.live ? liveKeys(s.entries).length : s.entries.size),
    snapshot: (s: M) => mapKind.snapshot(s.entries),
  });
}
