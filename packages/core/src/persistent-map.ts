// A hash array mapped trie (Bagwell 2001) with path copying: each level is an
// array of 32 slots indexed by five bits of a 32-bit FNV-1a hash of the key; a
// leaf is a bucket of the entries whose keys share the whole hash. `set` and
// `delete` copy only the path to the leaf, so every version shares all untouched
// nodes with the one it came from. (A bitmap-compressed node would save memory
// and cost bytes in every bundle that holds an OR-Set.)

type Bucket<V> = { readonly h: number; readonly e: ReadonlyArray<readonly [string, V]> };
type Node<V> = ReadonlyArray<Slot<V> | undefined>;
type Slot<V> = Node<V> | Bucket<V>;

const hash = (key: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x1000193);
  return h;
};

/** `slot` with `key` set to `value`, or removed when `value` is `absent` (then `key` is present). */
function put<V>(slot: Slot<V> | undefined, shift: number, h: number, key: string, value: V | typeof absent): Slot<V> | undefined {
  if (!slot || 'h' in slot) {
    if (slot?.h === h || !slot) {
      // Entries of a bucket are kept in key order: one iteration order per content.
      const e = (slot?.e ?? []).filter((entry) => entry[0] !== key);
      if (value !== absent) e.push([key, value]);
      return e.length ? { h, e: e.sort((x, y) => (x[0] < y[0] ? -1 : 1)) } : undefined;
    }
    // Two hashes meet: the bucket moves one level down.
    const node: Array<Slot<V> | undefined> = [];
    node[(slot.h >>> shift) & 31] = slot;
    slot = node;
  }
  const i = (h >>> shift) & 31;
  const copy = slot.slice();
  copy[i] = put(slot[i], shift + 5, h, key, value);
  return value !== absent || copy.some(Boolean) ? copy : undefined;
}

const absent: unique symbol = Symbol();

/** `put` for a trie under construction, whose nodes no other map shares yet: fills them in place. */
function fill<V>(slot: Slot<V> | undefined, shift: number, h: number, key: string, value: V): Slot<V> {
  if (slot && !('h' in slot)) {
    const i = (h >>> shift) & 31;
    (slot as Array<Slot<V> | undefined>)[i] = fill(slot[i], shift + 5, h, key, value);
    return slot;
  }
  return put(slot, shift, h, key, value)!;
}

function* walk<V>(root: Slot<V> | undefined): Generator<[string, V], undefined> {
  // An explicit stack: nested `yield*` costs a generator per level per entry.
  const stack = root ? [root] : [];
  while (stack.length) {
    const slot = stack.pop()!;
    if ('h' in slot) for (const [k, v] of slot.e) yield [k, v];
    else for (let i = slot.length - 1; i >= 0; i--) if (slot[i]) stack.push(slot[i]!);
  }
}

/** Calls `f` on every entry in trie order: a plain recursion, several times faster than `walk`. */
function visit<V>(slot: Slot<V> | undefined, f: (value: V, key: string) => void): void {
  if (slot && 'h' in slot) for (const [k, v] of slot.e) f(v, k);
  else if (slot) for (const child of slot) visit(child, f);
}

const count = <V>(slot: Slot<V> | undefined): number =>
  !slot ? 0 : 'h' in slot ? slot.e.length : slot.reduce((n: number, child) => n + count(child), 0);

function* project<V, I extends 0 | 1>(slot: Slot<V> | undefined, i: I): Generator<[string, V][I], undefined> {
  for (const entry of walk(slot)) yield entry[i];
}

let emptyMap: PersistentMap<never> | undefined;

/**
 * An immutable map from strings to values whose `set` and `delete` return a new
 * map in O(log n), sharing everything unchanged with the old one (a hash array
 * mapped trie). It reads like a `ReadonlyMap`; iteration order is by hash, the
 * same for equal contents on every replica but not insertion order. The store
 * behind OR-Set and the map types.
 *
 * @typeParam V - the value type
 *
 * @example
 * ```ts
 * import { PersistentMap } from '@convergent/core';
 *
 * const one = PersistentMap.empty<number>().set('a', 1);
 * const two = one.set('b', 2);
 * [one.size, two.size, two.get('b')]; // => [1, 2, 2]
 * ```
 */
export class PersistentMap<V> implements ReadonlyMap<string, V> {
  /** The number of entries. */
  readonly size: number;
  readonly #root: Slot<V> | undefined;

  private constructor(root: Slot<V> | undefined, size: number) {
    this.#root = root;
    this.size = size;
    Object.freeze(this);
  }

  /**
   * The empty map.
   *
   * @typeParam V - the value type
   * @returns a map with no entries
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * PersistentMap.empty<string>().size; // => 0
   * ```
   */
  static empty<V>(): PersistentMap<V> {
    return (emptyMap ??= new PersistentMap<never>(undefined, 0)) as PersistentMap<V>;
  }

  /**
   * A map holding the given entries (a later entry wins over an earlier one with
   * the same key). Returns `entries` itself when it is already a `PersistentMap`.
   *
   * @typeParam V - the value type
   * @param entries - any entries, for example a `Map`
   * @returns the map
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * PersistentMap.from(new Map([['x', 1]])).get('x'); // => 1
   * ```
   */
  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    if (entries instanceof PersistentMap) return entries as PersistentMap<V>;
    // The nodes are fresh, so they are filled in place rather than copied per entry.
    let root: Slot<V> | undefined;
    for (const [k, v] of entries) root = fill(root, 0, hash(k), k, v);
    const size = count(root);
    return size ? new PersistentMap(root, size) : PersistentMap.empty();
  }

  #with(key: string, value: V | typeof absent): PersistentMap<V> {
    const had = this.#find(key);
    if (value === absent ? !had : had && had[1] === value) return this;
    return new PersistentMap(put(this.#root, 0, hash(key), key, value), this.size + (had ? 0 : 1) - (value === absent ? 1 : 0));
  }

  /**
   * The map with `key` set to `value`.
   *
   * @param key - the key
   * @param value - its value
   * @returns a new map, or this one when `key` already held this very value
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * PersistentMap.empty<number>().set('a', 1).set('a', 2).get('a'); // => 2
   * ```
   */
  set(key: string, value: V): PersistentMap<V> {
    return this.#with(key, value);
  }

  /**
   * The map without `key`.
   *
   * @param key - the key
   * @returns a new map, or this one when `key` was absent
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * PersistentMap.empty<number>().set('a', 1).delete('a').has('a'); // => false
   * ```
   */
  delete(key: string): PersistentMap<V> {
    return this.#with(key, absent);
  }

  /**
   * The value of `key`.
   *
   * @param key - the key
   * @returns its value, or `undefined` when absent
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * PersistentMap.empty<number>().get('a'); // => undefined
   * ```
   */
  get(key: string): V | undefined {
    return this.#find(key)?.[1];
  }

  #find(key: string): readonly [string, V] | undefined {
    const h = hash(key);
    let slot = this.#root;
    for (let shift = 0; slot && !('h' in slot); shift += 5) slot = slot[(h >>> shift) & 31];
    return slot?.h === h ? slot.e.find((entry) => entry[0] === key) : undefined;
  }

  /**
   * Whether `key` is present.
   *
   * @param key - the key
   * @returns `true` when present
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * PersistentMap.empty<number>().set('a', 0).has('a'); // => true
   * ```
   */
  has(key: string): boolean {
    return this.#find(key) !== undefined;
  }

  /**
   * The entries, in hash order.
   *
   * @returns an iterator of `[key, value]` pairs
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * [...PersistentMap.empty<number>().set('a', 1).entries()]; // => [['a', 1]]
   * ```
   */
  entries(): MapIterator<[string, V]> {
    return walk(this.#root);
  }

  /**
   * The keys, in hash order.
   *
   * @returns an iterator of keys
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * [...PersistentMap.empty<number>().set('a', 1).keys()]; // => ['a']
   * ```
   */
  keys(): MapIterator<string> {
    return project(this.#root, 0);
  }

  /**
   * The values, in hash order.
   *
   * @returns an iterator of values
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * [...PersistentMap.empty<number>().set('a', 1).values()]; // => [1]
   * ```
   */
  values(): MapIterator<V> {
    return project(this.#root, 1);
  }

  /**
   * Calls `callback` for every entry, in hash order.
   *
   * @param callback - receives the value, the key and the map
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * let sum = 0;
   * PersistentMap.from([['a', 1], ['b', 2]]).forEach((v) => (sum += v));
   * sum; // => 3
   * ```
   */
  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    visit(this.#root, (v, k) => callback(v, k, this));
  }

  /**
   * The entries, as {@link PersistentMap.entries}.
   *
   * @returns an iterator of `[key, value]` pairs
   *
   * @example
   * ```ts
   * import { PersistentMap } from '@convergent/core';
   *
   * new Map(PersistentMap.from([['a', 1]])).get('a'); // => 1
   * ```
   */
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}

