import { DecodeError, jsonArray, jsonNat, jsonReplicaId, type Reader, type ReplicaId, type Writer } from '@convergent/core';
import type { DotContext } from '@convergent/version-vector';
import type { counter } from './causal-counter.js';
import type { register, set } from './embedded.js';
import type { of } from './or-map.js';

/**
 * What a map needs to know to hold values of one Convergent type: the value's
 * dot store (its live dots and what they carry, without a context of its own,
 * since every value in a map shares the map's context), how to join two stores
 * under their contexts, and how to encode a store. The kinds this package
 * exports ({@link counter}, {@link set}, {@link register}, and every map type
 * made by {@link of}) are the embeddable types; a map of maps nests them.
 *
 * @typeParam T - the value's state as its mutators see it (a store plus the map's context)
 * @typeParam S - the value's dot store
 * @typeParam V - the value's plain snapshot, for rendering
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const kind: ORMap.Embeddable<ORMap.CausalCounter, ORMap.CounterStore, number> = ORMap.counter;
 * kind.snapshot(kind.empty); // => 0
 * ```
 */
export interface Embeddable<T, S, V> {
  /** The store of a value no one has written: no dots, the schema's default. */
  readonly empty: S;
  /** How many levels of values this kind nests (1 for a leaf type). Decoding never goes deeper. */
  readonly depth: number;
  /**
   * The value's state as its mutators take it.
   * @param store - the value's store
   * @param context - the map's context
   * @returns the state
   */
  view(store: S, context: DotContext): T;
  /**
   * The store of a state (a mutator's delta, for instance).
   * @param state - a state
   * @returns its store
   */
  storeOf(state: T): S;
  /**
   * The context a mutator's delta may carry inside a map: the delta's context cut
   * down to the dots of this value (`old`, before the mutator ran) and of the
   * delta's own store. Present only for kinds whose stand-alone mutators cover
   * more: MV-Register's `set` covers all its replica's earlier writes, which in a
   * shared context are other keys' and fields' values, and would remove them.
   * @param old - the value's store before the mutator ran
   * @param delta - the mutator's delta
   * @returns the delta's context within the map
   */
  scope?(old: S, delta: T): DotContext;
  /**
   * Whether a store holds nothing to keep (a map drops such a value): no live dot,
   * and nothing a kind must remember after a remove (see `reset`).
   * @param store - a store
   * @returns `true` when empty
   */
  isEmpty(store: S): boolean;
  /**
   * Whether a store holds a live dot, for kinds that keep something after a remove
   * (see `reset`): maps, structs and lists show only live values. Absent for the
   * other kinds, for which a value is live exactly when it is not empty.
   * @param store - a store
   * @returns `true` when the value is there
   */
  live?(store: S): boolean;
  /**
   * What removing a value leaves besides removing the dots the remover had seen,
   * for kinds that must remember something to place concurrent edits: RGA text
   * deletes every character the remover had seen and keeps their positions. A
   * remove's delta holds this store. Absent for kinds whose remove is their dots.
   * @param store - the value's store, as the remover had it
   * @param replica - the removing replica
   * @returns the store to put in the remove's delta
   */
  reset?(store: S, replica: ReplicaId): S;
  /**
   * For kinds whose store holds events besides its dots (RGA text's element ids, at
   * any depth of a map, struct or list holding it): adds their authoring replicas to
   * `out`. The dots' replicas are counted by the caller. Absent when the dots are all.
   * @param store - a store
   * @param out - the set to add to
   */
  authors?(store: S, out: Set<ReplicaId>): void;
  /**
   * For kinds whose store holds counters besides its dots (RGA text's element
   * counters, a list's position stamps, at any depth): throws unless merging
   * `store` leaves the receiver room to make further events. Absent when the
   * context's check covers everything.
   * @param store - an untrusted store
   * @throws MergeRejectedError (from `@convergent/core`) otherwise
   */
  validate?(store: S): void;
  /**
   * The join of two stores under their contexts: a dot stays live if both sides
   * hold it, or one side holds it and the other has never seen it.
   * @param a - one store
   * @param ac - its context
   * @param b - another store
   * @param bc - its context
   * @returns the joined store (`a` itself when nothing changes)
   */
  join(a: S, ac: DotContext, b: S, bc: DotContext): S;
  /**
   * Structural equality of two stores.
   * @param a - one store
   * @param b - another
   * @returns `true` when equal
   */
  equals(a: S, b: S): boolean;
  /**
   * The live dots of a store, as `[replica, counter]` pairs.
   * @param store - a store
   * @returns its dots
   */
  dots(store: S): Iterable<readonly [ReplicaId, number]>;
  /**
   * The store's plain snapshot: the schema default when empty.
   * @param store - a store
   * @returns a plain, frozen value, the same object for the same store
   */
  snapshot(store: S): V;
  /**
   * Writes a store; dots are written as indexes into `replicas`.
   * @param writer - where to write
   * @param store - the store
   * @param replicas - the index of each replica id of the enclosing context
   */
  write(writer: Writer, store: S, replicas: ReadonlyMap<ReplicaId, number>): void;
  /**
   * Reads what `write` wrote, in canonical form only. Whether dots are in the
   * context and unique is checked by the enclosing decoder.
   * @param reader - where to read
   * @param replicas - the replica ids of the enclosing context, ascending
   * @returns the store
   */
  read(reader: Reader, replicas: readonly ReplicaId[]): S;
  /**
   * The store as JSON.
   * @param store - a store
   * @returns a JSON-compatible value
   */
  toJSON(store: S): unknown;
  /**
   * Reads what `toJSON` wrote, in canonical form only.
   * @param json - untrusted parsed JSON
   * @param path - its JSON path, for errors
   * @returns the store
   */
  fromJSON(json: unknown, path: string): S;
}

/**
 * A state that carries a causal context: every state an embeddable kind hands
 * to its mutators.
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const state: ORMap.HasContext = ORMap.of(ORMap.counter).bottom;
 * state.context.cloud.size; // => 0
 * ```
 */
export interface HasContext {
  /** The state's causal context. */
  readonly context: DotContext;
}

/**
 * A map or struct type, as it can stand for its kind: `ORMap.of(Cart)` takes the
 * type `Cart` for `Cart.kind`.
 *
 * @typeParam K - the kind
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const asKind: ORMap.HasKind<typeof Cart.kind> = Cart;
 * asKind.kind.depth; // => 2
 * ```
 */
export interface HasKind<K> {
  /** The type's kind. */
  readonly kind: K;
}

/**
 * A mutator's delta as a map or struct holds it: its store, and its context
 * scoped to the value by the kind (see `Embeddable.scope`), so that merging it
 * never removes another key's or field's dots.
 *
 * @typeParam T - the value's state
 * @typeParam S - its store
 * @param kind - the value's kind
 * @param old - the value's store before the mutator ran
 * @param delta - the mutator's delta
 * @returns the store and context to put in the enclosing delta
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import * as ORMap from '@convergent/or-map';
 * import { DotContext } from '@convergent/version-vector';
 *
 * const a = asReplicaId('a');
 * const first = MVRegister.set(MVRegister.bottom, a, 'x'); // dot a:1, elsewhere in a map
 * const second = MVRegister.set(first, a, 'y'); // its context covers a:1 and a:2
 * const { context } = ORMap.deltaOf(ORMap.register, ORMap.register.empty, second);
 * [DotContext.has(context, { replica: a, counter: 1 }), DotContext.has(context, { replica: a, counter: 2 })]; // => [false, true]
 * ```
 */
export function deltaOf<T extends HasContext, S>(
  kind: Embeddable<T, S, unknown>,
  old: S,
  delta: T,
): {
  /** The delta's store. */
  store: S;
  /** Its context, within the enclosing map or struct. */
  context: DotContext;
} {
  return { store: kind.storeOf(delta), context: kind.scope?.(old, delta) ?? delta.context };
}

/**
 * Whether a value is there: it holds a live dot (see `Embeddable.live`).
 *
 * @typeParam S - the store type
 * @param kind - the value's kind
 * @param store - the value's store
 * @returns `true` when live
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * ORMap.isLive(ORMap.counter, ORMap.counter.empty); // => false
 * ```
 */
export function isLive<S>(kind: Embeddable<unknown, S, unknown>, store: S): boolean {
  return kind.live ? kind.live(store) : !kind.isEmpty(store);
}

/**
 * What a remove of a value leaves in its delta (see `Embeddable.reset`): nothing
 * (the kind's empty store) for every kind but those that keep positions.
 *
 * @typeParam S - the store type
 * @param kind - the value's kind
 * @param store - the value's store, as the remover had it
 * @param replica - the removing replica
 * @returns the store for the remove's delta
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 *
 * ORMap.resetOf(ORMap.set, ORMap.set.empty, asReplicaId('a')) === ORMap.set.empty; // => true
 * ```
 */
export function resetOf<S>(kind: Embeddable<unknown, S, unknown>, store: S, replica: ReplicaId): S {
  return kind.reset ? kind.reset(store, replica) : kind.empty;
}

/**
 * The `authors` and `validate` of a container kind (a map, struct or list): each
 * runs the hook of every value the store holds, at any depth. A hook is absent
 * when no value kind has it, so that containers of plain kinds pay nothing.
 *
 * @typeParam S - the values' store type
 * @typeParam C - the container's store type
 * @param kinds - the kinds of the values the container may hold
 * @param values - the values of a container store, each with its kind
 * @returns the hooks to spread into the container's kind
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const hooks = ORMap.nestedChecks([ORMap.counter], (store: ORMap.CounterStore[]) => store.map((v) => [ORMap.counter, v] as const));
 * Object.keys(hooks); // => []
 * ```
 */
export function nestedChecks<S, C>(
  kinds: readonly Embeddable<unknown, S, unknown>[],
  values: (store: C) => Iterable<readonly [Embeddable<unknown, S, unknown>, S]>,
): Pick<Embeddable<unknown, C, unknown>, 'authors' | 'validate'> {
  return {
    ...(kinds.some((k) => k.authors) && {
      authors(store: C, out: Set<ReplicaId>) {
        for (const [k, v] of values(store)) k.authors?.(v, out);
      },
    }),
    ...(kinds.some((k) => k.validate) && {
      validate(store: C) {
        for (const [k, v] of values(store)) k.validate?.(v);
      },
    }),
  };
}

/** The replica ids a context knows, ascending: the table dots index into. */
export function replicasOf(context: DotContext): ReplicaId[] {
  return [...new Set([...context.vector.counts.keys(), ...context.cloud.keys()])].sort();
}

/** Writes a dot as its replica's index in the table and its counter. */
export function writeDot(writer: Writer, replicas: ReadonlyMap<ReplicaId, number>, replica: ReplicaId, counter: number): void {
  writer.uint(replicas.get(replica)!).uint(counter);
}

/** Reads a dot written by {@link writeDot}. */
export function readDot(reader: Reader, replicas: readonly ReplicaId[]): [ReplicaId, number] {
  const at = reader.offset;
  const replica = replicas[reader.uint(replicas.length)];
  if (replica === undefined) reader.fail('replica index out of range', at);
  const counter = reader.uint();
  if (counter < 1) reader.fail('dot counter 0', at);
  return [replica, counter];
}

/** Reads a JSON dot `[replica, counter]` and the extra fields after it. */
export function dotFromJSON(json: unknown, path: string, fields: number): [ReplicaId, number, ...unknown[]] {
  const tuple = jsonArray(json, path, 2 + fields);
  if (tuple.length !== 2 + fields) throw new DecodeError(`expected ${2 + fields} fields`, { path });
  const counter = jsonNat(tuple[1], path);
  if (counter < 1) throw new DecodeError('dot counter 0', { path });
  return [jsonReplicaId(tuple[0], path), counter, ...tuple.slice(2)];
}

/** Dots ordered by replica id, then counter. */
export const byDot = (p: readonly [string, number, ...unknown[]], q: readonly [string, number, ...unknown[]]): number =>
  p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : p[1] - q[1];

/**
 * Wraps a kind's snapshot function so that it is computed once per store object:
 * stores are immutable, so a value that did not change between two states keeps
 * the very same snapshot object, and memoised components skip it.
 *
 * @typeParam S - the store type (an object)
 * @typeParam V - the snapshot type
 * @param make - computes a snapshot
 * @returns the cached function
 *
 * @example
 * ```ts
 * import { cachedSnapshot } from '@convergent/or-map';
 *
 * const snap = cachedSnapshot((store: ReadonlyMap<string, number>) => Object.freeze(Object.fromEntries(store)));
 * const store = new Map([['a', 1]]);
 * snap(store) === snap(store); // => true
 * ```
 */
export function cachedSnapshot<S extends object, V>(make: (store: S) => V): (store: S) => V {
  const cache = new WeakMap<S, V>();
  return (store) => {
    let value = cache.get(store);
    if (value === undefined) cache.set(store, (value = make(store)));
    return value;
  };
}
