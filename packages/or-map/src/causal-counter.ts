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
}

/**
 * The dot store of a {@link CausalCounter}: per replica, its latest dot and its
 * contribution. An immutable map.
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
  const seen = mine ? [{ replica, counter: mine.counter }] : [];
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

const sorted = (store: CounterStore): Array<[ReplicaId, number, number]> =>
  [...store].map(([replica, { counter, value }]): [ReplicaId, number, number] => [replica, counter, value]).sort(byDot);

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
    // A share stays if the other side holds the same dot or has never seen it.
    const keep = (mine: CounterStore, theirs: CounterStore, seen: DotContext) => {
      for (const [replica, share] of mine)
        if (theirs.get(replica)?.counter === share.counter || !DotContext.has(seen, { replica, counter: share.counter }))
          if ((out.get(replica)?.counter ?? 0) < share.counter) out.set(replica, share);
    };
    keep(a, b, bc);
    keep(b, a, ac);
    return counter.equals(out, a) ? a : out;
  },
  equals: (a: CounterStore, b: CounterStore) =>
    a.size === b.size && [...a].every(([replica, share]) => b.get(replica)?.counter === share.counter && b.get(replica)?.value === share.value),
  dots: (store: CounterStore) => [...store].map(([replica, share]): [ReplicaId, number] => [replica, share.counter]),
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
    const store = new Map<ReplicaId, CounterDot>();
    let last = -1;
    for (let n = reader.count(replicas.length, 3); n > 0; n--) {
      const at = reader.offset;
      const [replica, dot] = readDot(reader, replicas);
      const index = replicas.indexOf(replica);
      if (index <= last) reader.fail('counter shares out of order or repeated', at);
      last = index;
      const value = readInt(reader);
      store.set(replica, Object.freeze({ counter: dot, value }));
    }
    return store;
  },
  toJSON: sorted,
  fromJSON(json, path) {
    const store = new Map<ReplicaId, CounterDot>();
    let last = '';
    jsonArray(json, path).forEach((entry, i) => {
      const at = `${path}[${i}]`;
      const [replica, dot, value] = dotFromJSON(entry, at, 1);
      if (replica <= last) throw new DecodeError('counter shares out of order or repeated', { path: at });
      last = replica;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new DecodeError('expected a safe integer', { path: at });
      store.set(replica, Object.freeze({ counter: dot, value }));
    });
    return store;
  },
});
