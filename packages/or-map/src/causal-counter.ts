import { DecodeError, jsonArray, readInt, writeInt, type ReplicaId } from '@convergent/core';
import { DotContext } from '@convergent/version-vector';
import { byDot, dotFromJSON, readDot, writeDot, type Embeddable } from './embeddable.js';

/**
 * One replica's share of a {@link CausalCounter}: the dot of its latest
 * increment and the sum of all its increments so far.
 *
 * @example
 * ```ts
 * import type { CounterDot } from '@convergent/or-map';
 *
 * const share: CounterDot = { counter: 2, value: 5 };
 * share.value; // => 5
 * ```
 */
export interface CounterDot {
  /** The counter of the dot of the replica's latest increment. */
  readonly counter: number;
  /** The replica's contribution: a safe integer, negative after decrements. */
  readonly value: number;
  /**
   * Older dots of the same replica held beside this one, oldest first (each without
   * `earlier` of its own): increments whose replacing increment arrived before the
   * delta that replaced them (deltas delivered out of order). They stay until that
   * delta arrives, because a remove that saw only the latest dot must leave them;
   * {@link count} reads only the latest. Usually absent.
   */
  readonly earlier?: readonly CounterDot[];
}

/**
 * The dot store of a {@link CausalCounter}: per replica, its latest dot and its
 * contribution (and, rarely, older dots not yet replaced here). An immutable map.
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const store: ORMap.CounterStore = ORMap.counter.empty;
 * store.size; // => 0
 * ```
 */
export type CounterStore = ReadonlyMap<ReplicaId, CounterDot>;

/**
 * A counter that tags every increment with a dot (the causal counter of Almeida,
 * Shoker and Baquero 2018), so that a map can reset it: removing the key removes
 * the increments the remover had seen, and an increment made concurrently
 * elsewhere survives alone. It counts up and down. Inside a map it shares the
 * map's context; an unwritten counter is 0.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const alice = asReplicaId('alice');
 * const cart = Cart.merge(Cart.bottom, Cart.update(Cart.bottom, alice, 'milk', (milk: ORMap.CausalCounter, r) => ORMap.increment(milk, r, 3)));
 * ORMap.count(Cart.get(cart, 'milk')); // => 3
 * ```
 */
export interface CausalCounter {
  /** Per replica, its latest dot and contribution. */
  readonly store: CounterStore;
  /** The context the counter lives in (the map's, or a delta's). */
  readonly context: DotContext;
}

/**
 * Delta mutator: adds `by` (negative to subtract) to a causal counter. The delta
 * holds the replica's new dot with its new contribution, and in its context the
 * dot it replaces.
 *
 * @param state - the counter as the map holds it (`get` of the map)
 * @param replica - the acting replica
 * @param by - a safe integer
 * @returns the delta
 * @throws RangeError if `by` or the replica's contribution is not a safe integer
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 *
 * const Scores = ORMap.of(ORMap.counter);
 * const a = asReplicaId('a');
 * let scores = Scores.bottom;
 * scores = Scores.merge(scores, Scores.update(scores, a, 'ann', (v, r) => ORMap.increment(v, r, 5)));
 * scores = Scores.merge(scores, Scores.update(scores, a, 'ann', (v, r) => ORMap.increment(v, r, -2)));
 * Scores.snapshot(scores); // => { ann: 3 }
 * ```
 */
export function increment(state: CausalCounter, replica: ReplicaId, by: number): CausalCounter {
  const mine = state.store.get(replica);
  const value = (mine?.value ?? 0) + by;
  if (!Number.isSafeInteger(by) || !Number.isSafeInteger(value)) throw new RangeError('counter increments and totals must be safe integers');
  const dot = DotContext.next(state.context, replica);
  const seen = sharesOf(mine).map(({ counter }) => ({ replica, counter }));
  return Object.freeze({
    store: new Map([[replica, Object.freeze({ counter: dot.counter, value })]]),
    context: DotContext.fromDots([dot, ...seen]),
  });
}

/**
 * The value of a causal counter: the sum of the replicas' contributions.
 *
 * @param state - the counter
 * @returns its value (0 when unwritten)
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * ORMap.count(Cart.get(Cart.bottom, 'milk')); // => 0
 * ```
 */
export function count(state: CausalCounter): number {
  return sum(state.store);
}

const sum = (store: CounterStore): number => {
  let total = 0;
  for (const { value } of store.values()) total += value;
  return total;
};

/** One replica's dots, oldest first. */
const sharesOf = (share: CounterDot | undefined): readonly CounterDot[] =>
  share === undefined ? [] : share.earlier ? [...share.earlier, share] : [share];

/** The share holding `shares` (oldest first, at least one): the latest, with the others as `earlier`. */
const shareOf = (shares: readonly CounterDot[]): CounterDot => {
  const dot = (s: CounterDot): CounterDot => Object.freeze({ counter: s.counter, value: s.value });
  const latest = shares[shares.length - 1]!;
  return shares.length === 1 ? dot(latest) : Object.freeze({ ...dot(latest), earlier: Object.freeze(shares.slice(0, -1).map(dot)) });
};

const sorted = (store: CounterStore): Array<[ReplicaId, number, number]> =>
  [...store].flatMap(([replica, share]) => sharesOf(share).map(({ counter, value }): [ReplicaId, number, number] => [replica, counter, value])).sort(byDot);

/** A store from its dots sorted by (replica, counter); `fail` unless strictly increasing. */
const fromSorted = (dots: ReadonlyArray<readonly [ReplicaId, number, number]>, fail: (message: string, i: number) => never): CounterStore => {
  const grouped = new Map<ReplicaId, CounterDot[]>();
  dots.forEach(([replica, counter, value], i) => {
    const previous = dots[i - 1];
    if (previous && byDot(previous, dots[i]!) >= 0) fail('counter shares out of order or repeated', i);
    const shares = grouped.get(replica);
    if (shares) shares.push({ counter, value });
    else grouped.set(replica, [{ counter, value }]);
  });
  return new Map([...grouped].map(([replica, shares]) => [replica, shareOf(shares)]));
};

const emptyStore: CounterStore = new Map();

/**
 * The causal counter as a map value: `ORMap.of(ORMap.counter)` is a map of
 * counters. Update a value with {@link increment}, read it with {@link count}.
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * Cart.snapshot(Cart.bottom); // => {}
 * ```
 */
export const counter: Embeddable<CausalCounter, CounterStore, number> = Object.freeze<Embeddable<CausalCounter, CounterStore, number>>({
  empty: emptyStore,
  depth: 1,
  view: (store: CounterStore, context: DotContext): CausalCounter => Object.freeze({ store, context }),
  storeOf: (state: CausalCounter) => state.store,
  isEmpty: (store: CounterStore) => store.size === 0,
  join(a: CounterStore, ac: DotContext, b: CounterStore, bc: DotContext): CounterStore {
    const out = new Map<ReplicaId, CounterDot>();
    // A dot stays if the other side holds it too or has never seen it. A later dot of the
    // same replica does not replace an older one here: only the context of the increment
    // that replaced it does, else a remove that saw only the later dot would lose the older.
    for (const replica of new Set([...a.keys(), ...b.keys()])) {
      const [mine, theirs] = [sharesOf(a.get(replica)), sharesOf(b.get(replica))];
      const held = (shares: readonly CounterDot[], counter: number) => shares.some((s) => s.counter === counter);
      const kept = [
        ...mine.filter((s) => held(theirs, s.counter) || !DotContext.has(bc, { replica, counter: s.counter })),
        ...theirs.filter((s) => !held(mine, s.counter) && !DotContext.has(ac, { replica, counter: s.counter })),
      ].sort((p, q) => p.counter - q.counter);
      if (kept.length > 0) out.set(replica, shareOf(kept));
    }
    return counter.equals(out, a) ? a : out;
  },
  equals: (a: CounterStore, b: CounterStore) =>
    a.size === b.size &&
    [...a].every(([replica, share]) => {
      const [mine, theirs] = [sharesOf(share), sharesOf(b.get(replica))];
      return mine.length === theirs.length && mine.every((s, i) => theirs[i]!.counter === s.counter && theirs[i]!.value === s.value);
    }),
  dots: (store: CounterStore) => [...store].flatMap(([replica, share]) => sharesOf(share).map(({ counter }): [ReplicaId, number] => [replica, counter])),
  snapshot: sum,
  write(writer, store, replicas) {
    const shares = sorted(store);
    writer.uint(shares.length);
    for (const [replica, dot, value] of shares) {
      writeDot(writer, replicas, replica, dot);
      writeInt(writer, value);
    }
  },
  read(reader, replicas) {
    const dots: Array<[ReplicaId, number, number]> = [];
    const starts: number[] = [];
    for (let n = reader.count(Infinity, 3); n > 0; n--) {
      starts.push(reader.offset);
      const [replica, dot] = readDot(reader, replicas);
      dots.push([replica, dot, readInt(reader)]);
    }
    return fromSorted(dots, (message, i) => reader.fail(message, starts[i]));
  },
  toJSON: sorted,
  fromJSON(json, path) {
    const dots = jsonArray(json, path).map((entry, i): [ReplicaId, number, number] => {
      const at = `${path}[${i}]`;
      const [replica, dot, value] = dotFromJSON(entry, at, 1);
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new DecodeError('expected a safe integer', { path: at });
      return [replica, dot, value];
    });
    return fromSorted(dots, (message, i) => {
      throw new DecodeError(message, { path: `${path}[${i}]` });
    });
  },
});
