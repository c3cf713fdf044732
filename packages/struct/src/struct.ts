import { DecodeError, InvalidValueError, jsonArray, jsonString, type Reader, type ReplicaId, type Writer } from '@convergent/core';
import { cachedSnapshot, causal, deltaOf, isLive, MAX_DEPTH, nestedChecks, type CausalType, type Embeddable, type HasContext, type HasKind } from '@convergent/or-map';
import type { DotContext } from '@convergent/version-vector';

/** A field's kind: anything `ORMap.of` accepts (a value kind, a map type, a struct type). */
/**
 * The kind of one field: any embeddable kind whose state has a causal context.
 * (Its store is `any`: a store type appears both in and out of a kind's methods,
 * so no one store type covers them all.)
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import type { FieldKind } from '@convergent/struct';
 *
 * const kind: FieldKind = ORMap.set;
 * kind.depth; // => 1
 * ```
 */
export type FieldKind = Embeddable<HasContext, any, unknown>;

/**
 * The fields of a struct type: each name with its own type, given as a value
 * kind of `@convergent/or-map` (`ORMap.counter`, `ORMap.set`, `ORMap.register`),
 * a map type, or another struct type.
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import type { Schema } from '@convergent/struct';
 *
 * const todo = { title: ORMap.register, tags: ORMap.set } satisfies Schema;
 * Object.keys(todo); // => ['title', 'tags']
 * ```
 */
export type Schema = { readonly [field: string]: FieldKind | HasKind<FieldKind> };

/**
 * The state a field's mutators take: `ORSet` for `ORMap.set`, and so on.
 *
 * @typeParam F - a field of a {@link Schema}
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import * as Struct from '@convergent/struct';
 *
 * const Item = Struct.of({ qty: ORMap.counter });
 * const qty: Struct.FieldValue<typeof ORMap.counter> = Item.get(Item.bottom, 'qty');
 * ORMap.count(qty); // => 0
 * ```
 */
export type FieldValue<F> = F extends HasKind<Embeddable<infer T, infer _S, infer _V>>
  ? T
  : F extends Embeddable<infer T, infer _S, infer _V>
    ? T
    : never;

/**
 * A field's plain snapshot: a number for a counter, an array for a set or a
 * register, an object for a map or a struct.
 *
 * @typeParam F - a field of a {@link Schema}
 *
 * @example
 * ```ts
 * import type * as ORMap from '@convergent/or-map';
 * import type { FieldSnapshot } from '@convergent/struct';
 *
 * const quantity: FieldSnapshot<typeof ORMap.counter> = 3;
 * quantity; // => 3
 * ```
 */
export type FieldSnapshot<F> = F extends HasKind<Embeddable<infer _T, infer _S, infer V>>
  ? V
  : F extends Embeddable<infer _T, infer _S, infer V>
    ? V
    : never;

/**
 * The plain snapshot of a struct: every field, written or not (then its default).
 *
 * @typeParam F - the schema
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import type { StructSnapshot } from '@convergent/struct';
 *
 * const item: StructSnapshot<{ qty: typeof ORMap.counter }> = { qty: 2 };
 * item.qty; // => 2
 * ```
 */
export type StructSnapshot<F extends Schema> = { readonly [K in keyof F]: FieldSnapshot<F[K]> };

/**
 * The stores of a struct's written fields, by name. Unwritten fields are absent.
 *
 * @example
 * ```ts
 * import type { FieldStores } from '@convergent/struct';
 *
 * const none: FieldStores = new Map();
 * none.size; // => 0
 * ```
 */
export type FieldStores = ReadonlyMap<string, unknown>;

/**
 * A state of a struct type: the stores of its written fields and the one causal
 * context they share. An immutable value.
 *
 * @typeParam F - the schema
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import * as Struct from '@convergent/struct';
 *
 * const Item = Struct.of({ qty: ORMap.counter });
 * const item: Struct.Struct<{ qty: typeof ORMap.counter }> = Item.bottom;
 * item.fields.size; // => 0
 * ```
 */
export interface Struct<F extends Schema> {
  /** The written fields' stores. */
  readonly fields: FieldStores;
  /** Every dot seen, live or removed. */
  readonly context: DotContext;
  /** The schema, at the type level only. */
  readonly schema?: F;
}

/**
 * A struct type: the lattice and codecs of its states, its mutator and queries,
 * and, as `kind`, the struct as a map value, list element or field. Made by {@link of}.
 *
 * @typeParam F - the schema
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import * as Struct from '@convergent/struct';
 *
 * const Item: Struct.StructType<{ qty: typeof ORMap.counter }> = Struct.of({ qty: ORMap.counter });
 * Item.snapshot(Item.bottom); // => { qty: 0 }
 * ```
 */
export interface StructType<F extends Schema> extends CausalType<Struct<F>> {
  /** The struct as the value of a map or a field of another struct. */
  readonly kind: Embeddable<Struct<F>, FieldStores, StructSnapshot<F>>;
  /**
   * Delta mutator: changes one field through its own type's mutator, which
   * receives the field as the struct holds it (its default when unwritten).
   * @param state - the replica's current state
   * @param replica - the acting replica
   * @param field - the field's name
   * @param mutate - the field's delta mutator
   * @returns the delta, holding that field's delta alone
   * @throws InvalidValueError if `field` is not in the schema
   */
  update<K extends keyof F & string>(
    state: Struct<F>,
    replica: ReplicaId,
    field: K,
    mutate: (value: FieldValue<F[K]>, replica: ReplicaId) => FieldValue<F[K]>,
  ): Struct<F>;
  /**
   * A field as its mutators take it: its default when unwritten.
   * @param state - a state
   * @param field - the field's name
   * @returns the field's state
   * @throws InvalidValueError if `field` is not in the schema
   */
  get<K extends keyof F & string>(state: Struct<F>, field: K): FieldValue<F[K]>;
  /**
   * The plain snapshot: every field, structurally shared with earlier snapshots.
   * @param state - a state
   * @returns a frozen plain object
   */
  snapshot(state: Struct<F>): StructSnapshot<F>;
}

/**
 * Makes a struct type: a fixed set of named fields, each of its own type,
 * merged fieldwise with one causal context shared by every field. Field types
 * are inferred from the schema. A struct type that gains a field still decodes
 * states written before it, and shows the new field's default; a state that holds
 * a field the type does not know is rejected (it could not be kept).
 *
 * @typeParam F - the schema
 * @param schema - the fields, by name
 * @returns the struct type
 * @throws RangeError if it nests deeper than `MAX_DEPTH` of `@convergent/or-map`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import * as ORSet from '@convergent/or-set';
 * import * as ORMap from '@convergent/or-map';
 * import * as Struct from '@convergent/struct';
 *
 * const Todo = Struct.of({ title: ORMap.register, done: ORMap.register, tags: ORMap.set });
 * const me = asReplicaId('me');
 * let todo = Todo.bottom;
 * todo = Todo.merge(todo, Todo.update(todo, me, 'title', (title, r) => MVRegister.set(title, r, 'Buy milk')));
 * todo = Todo.merge(todo, Todo.update(todo, me, 'tags', (tags, r) => ORSet.add(tags, r, 'home')));
 * Todo.snapshot(todo); // => { title: ['Buy milk'], done: [], tags: ['home'] }
 * ```
 */
export function of<F extends Schema>(schema: F): StructType<F> {
  const names = Object.keys(schema).sort();
  const kinds = new Map<string, FieldKind>(names.map((name) => [name, kindOf(schema[name]!)]));
  const depth = 1 + Math.max(0, ...[...kinds.values()].map((k) => k.depth));
  if (depth > MAX_DEPTH) throw new RangeError(`types nest at most ${MAX_DEPTH} levels deep`);
  const kindFor = (field: string): FieldKind => {
    const kind = kinds.get(field);
    if (!kind) throw new InvalidValueError(`no field ${JSON.stringify(field)} in this struct`);
    return kind;
  };
  const empty: FieldStores = new Map();
  const view = (fields: FieldStores, context: DotContext): Struct<F> => Object.freeze({ fields, context });
  const field = (store: FieldStores, name: string, kind: FieldKind): unknown => store.get(name) ?? kind.empty;

  const fieldKinds = [...kinds.values()];
  const kind: Embeddable<Struct<F>, FieldStores, StructSnapshot<F>> = Object.freeze({
    empty,
    depth,
    // Only when a field keeps something after a remove (text): see `Embeddable.reset`.
    ...(fieldKinds.some((k) => k.live) && { live: (store: FieldStores) => [...store].some(([name, s]) => isLive(kinds.get(name)!, s)) }),
    ...(fieldKinds.some((k) => k.reset) && {
      reset(store: FieldStores, replica: ReplicaId): FieldStores {
        const out = new Map<string, unknown>();
        for (const [name, s] of store) {
          const k = kinds.get(name)!;
          const left = k.reset?.(s, replica);
          if (left !== undefined && !k.isEmpty(left)) out.set(name, left);
        }
        return out;
      },
    }),
    ...nestedChecks(fieldKinds, function* (store: FieldStores) {
      for (const [name, s] of store) yield [kinds.get(name)!, s] as const;
    }),
    view,
    storeOf: (state: Struct<F>) => state.fields,
    isEmpty: (store: FieldStores) => store.size === 0,
    join(a: FieldStores, ac: DotContext, b: FieldStores, bc: DotContext): FieldStores {
      const out = new Map<string, unknown>();
      let same = true;
      for (const [name, k] of kinds) {
        const joined = k.join(field(a, name, k), ac, field(b, name, k), bc);
        if (!k.isEmpty(joined)) out.set(name, joined);
        same &&= joined === field(a, name, k);
      }
      return same ? a : out;
    },
    equals: (a: FieldStores, b: FieldStores) => [...kinds].every(([name, k]) => k.equals(field(a, name, k), field(b, name, k))),
    dots: (store: FieldStores) => [...store].flatMap(([name, s]) => [...kinds.get(name)!.dots(s)]),
    snapshot: cachedSnapshot(
      (store: FieldStores) =>
        Object.freeze(Object.fromEntries([...kinds].map(([name, k]) => [name, k.snapshot(field(store, name, k))]))) as StructSnapshot<F>,
    ),
    write(writer: Writer, store: FieldStores, replicas: ReadonlyMap<ReplicaId, number>) {
      const written = names.filter((name) => store.has(name));
      writer.uint(written.length);
      for (const name of written) {
        writer.string(name);
        kinds.get(name)!.write(writer, store.get(name), replicas);
      }
    },
    read(reader: Reader, replicas: readonly ReplicaId[]) {
      const store = new Map<string, unknown>();
      let last: string | undefined;
      for (let n = reader.count(names.length, 2); n > 0; n--) {
        const at = reader.offset;
        const name = reader.string(1024);
        const k = kinds.get(name);
        if (!k) reader.fail('unknown field', at);
        if (last !== undefined && name <= last) reader.fail('fields out of order or repeated', at);
        last = name;
        const s = k.read(reader, replicas);
        if (k.isEmpty(s)) reader.fail('field without a live value', at);
        store.set(name, s);
      }
      return store;
    },
    toJSON: (store: FieldStores) => names.filter((name) => store.has(name)).map((name) => [name, kinds.get(name)!.toJSON(store.get(name))]),
    fromJSON(json: unknown, path: string) {
      const store = new Map<string, unknown>();
      let last: string | undefined;
      jsonArray(json, path, names.length).forEach((entry, i) => {
        const at = `${path}[${i}]`;
        const pair = jsonArray(entry, at, 2);
        if (pair.length !== 2) throw new DecodeError('expected [field, value]', { path: at });
        const name = jsonString(pair[0], at, 1024);
        const k = kinds.get(name);
        if (!k) throw new DecodeError('unknown field', { path: at });
        if (last !== undefined && name <= last) throw new DecodeError('fields out of order or repeated', { path: at });
        last = name;
        const s = k.fromJSON(pair[1], `${at}[1]`);
        if (k.isEmpty(s)) throw new DecodeError('field without a live value', { path: at });
        store.set(name, s);
      });
      return store;
    },
  });

  return Object.freeze({
    ...causal(kind),
    kind,
    update<K extends keyof F & string>(
      state: Struct<F>,
      replica: ReplicaId,
      name: K,
      mutate: (value: FieldValue<F[K]>, replica: ReplicaId) => FieldValue<F[K]>,
    ): Struct<F> {
      const k = kindFor(name);
      const old = field(state.fields, name, k);
      const { store, context } = deltaOf(k, old, mutate(k.view(old, state.context) as FieldValue<F[K]>, replica) as HasContext);
      return view(k.isEmpty(store) ? empty : new Map([[name, store]]), context);
    },
    get: <K extends keyof F & string>(state: Struct<F>, name: K): FieldValue<F[K]> => {
      const k = kindFor(name);
      return k.view(field(state.fields, name, k), state.context) as FieldValue<F[K]>;
    },
    snapshot: (state: Struct<F>) => kind.snapshot(state.fields),
  });
}

function kindOf(spec: FieldKind | HasKind<FieldKind>): FieldKind {
  return 'kind' in spec ? spec.kind : spec;
}
