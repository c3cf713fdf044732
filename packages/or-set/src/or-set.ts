import { canonicalKey, countsEqual, PersistentMap, type Counts, type JsonValue, type ReplicaId } from '@convergent/core';
import {
  contextEquals,
  contextFromDots,
  contextLeq,
  emptyContext,
  hasDot,
  mergeContexts,
  mergeKeyed,
  nextDot,
  type Dot,
  type DotContext,
} from '@convergent/version-vector';

/**
 * An observed-remove set of JSON values, add-wins and tombstone-free (the
 * optimized OR-Set of Bieniusa et al. 2012, riak_dt's ORSWOT, as a delta CRDT).
 * Every add is tagged with a fresh {@link Dot}; an element is in the set while
 * some add of it is live. A remove deletes the adds its replica has observed and
 * keeps no tombstone: the causal context remembers which dots were seen, so a
 * dot that is in the context but not in the entries was removed. An immutable
 * value.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const phone = asReplicaId('phone');
 * const cart: ORSet.ORSet = ORSet.merge(ORSet.bottom, ORSet.add(ORSet.bottom, phone, 'tv'));
 * ORSet.elements(cart); // => ['tv']
 * ```
 */
export interface ORSet {
  /**
   * The live elements, keyed by their canonical key (`canonicalKey` of
   * `@convergent/core`): per element, the dots of its live adds (see
   * {@link ElementDots}). Never holds an empty map. A persistent map, so that a
   * merge shares every entry it leaves unchanged.
   */
  readonly entries: PersistentMap<ElementDots>;
  /** Every dot this state has seen, live or removed. Holds every live dot. */
  readonly context: DotContext;
}

/**
 * The live dots of one element: a map from replica to that replica's latest live
 * dot counter, and, rarely, older live dots of the same replicas in `earlier`.
 * Older dots stay when a replica's later add arrived before the delta of the add
 * that replaced them (deltas delivered out of order): only that delta's context
 * removes them, else a remove that saw only the later dot would keep or lose the
 * older one depending on the order of merges. Read every dot with {@link liveDots}.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const a = asReplicaId('a');
 * const dots: ORSet.ElementDots = ORSet.add(ORSet.bottom, a, 'x').entries.get('"x"')!;
 * [...dots]; // => [['a', 1]]
 * ```
 */
export interface ElementDots extends Counts {
  /**
   * Older live dots of replicas in the map (each older than the replica's counter
   * there), sorted by replica id, then counter. Absent when there are none.
   */
  readonly earlier?: readonly Dot[];
}

/** @internal */
export function of(entries: ReadonlyMap<string, ElementDots>, context: DotContext): ORSet {
  return Object.freeze({ entries: PersistentMap.from(entries), context });
}

/**
 * The empty set, of a replica that has seen nothing.
 *
 * @example
 * ```ts
 * import * as ORSet from '@convergent/or-set';
 *
 * ORSet.size(ORSet.bottom); // => 0
 * ```
 */
export const bottom: ORSet = of(new Map(), emptyContext);

/** Dots ordered by replica id, then counter. */
const byDot = (p: Dot, q: Dot): number => (p.replica < q.replica ? -1 : p.replica > q.replica ? 1 : p.counter - q.counter);

/**
 * Every live dot of an element, sorted by replica id, then counter.
 *
 * @param dots - an element's dots (`undefined` for an absent element)
 * @returns the dots, as a new array
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const state = ORSet.add(ORSet.bottom, asReplicaId('a'), 'x');
 * ORSet.liveDots(state.entries.get('"x"')); // => [{ replica: 'a', counter: 1 }]
 * ```
 */
export function liveDots(dots: ElementDots | undefined): Dot[] {
  if (!dots) return [];
  const out = [...dots].map(([replica, counter]) => ({ replica, counter }));
  if (dots.earlier) out.push(...dots.earlier);
  return out.sort(byDot);
}

/**
 * An element's dots holding exactly `dots`: each replica's latest in the map,
 * its older ones in `earlier`. For decoders and types that embed an OR-Set.
 *
 * @param dots - distinct dots, in any order
 * @returns the element's dots
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const a = asReplicaId('a');
 * const dots = ORSet.elementDots([{ replica: a, counter: 3 }, { replica: a, counter: 1 }]);
 * [...dots]; // => [['a', 3]]
 * dots.earlier; // => [{ replica: 'a', counter: 1 }]
 * ```
 */
export function elementDots(dots: readonly Dot[]): ElementDots {
  const latest = new Map<ReplicaId, number>();
  const earlier: Dot[] = [];
  for (const { replica, counter } of [...dots].sort(byDot)) {
    const before = latest.get(replica);
    if (before !== undefined) earlier.push(Object.freeze({ replica, counter: before }));
    latest.set(replica, counter);
  }
  return earlier.length === 0 ? latest : Object.assign(latest, { earlier: Object.freeze(earlier) });
}

/** Whether `dots` holds `dot` live. */
const holds = (dots: ElementDots, { replica, counter }: Dot): boolean =>
  dots.get(replica) === counter || (dots.earlier?.some((d) => d.replica === replica && d.counter === counter) ?? false);

/** Whether two elements hold the same live dots. */
function sameDots(a: ElementDots, b: ElementDots): boolean {
  if (!countsEqual(a, b)) return false;
  const [ea, eb] = [a.earlier ?? [], b.earlier ?? []];
  return ea.length === eb.length && ea.every((d, i) => d.replica === eb[i]!.replica && d.counter === eb[i]!.counter);
}

/**
 * Delta mutator: adds `value`. The delta holds one fresh dot of `replica` for the
 * element, and in its context the dots of the adds of `value` this replica has
 * seen, which the new add replaces. Adding a present element is allowed (it
 * refreshes the element, so that it survives a concurrent remove).
 *
 * @param state - the replica's current state
 * @param replica - the replica adding; must be this replica's own id
 * @param value - a JSON value; equal values (by canonical key) are one element
 * @returns the delta
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const a = asReplicaId('a');
 * let state = ORSet.bottom;
 * state = ORSet.merge(state, ORSet.add(state, a, { b: 2, a: 1 }));
 * ORSet.has(state, { a: 1, b: 2 }); // => true
 * ```
 */
export function add(state: ORSet, replica: ReplicaId, value: JsonValue): ORSet {
  const key = canonicalKey(value);
  const dot = nextDot(state.context, replica);
  const seen = liveDots(state.entries.get(key));
  return of(new Map([[key, new Map([[replica, dot.counter]])]]), contextFromDots([dot, ...seen]));
}

/**
 * Delta mutator: removes `value`, that is, every add of it this replica has
 * observed. An add elsewhere that this replica has not seen survives (add wins).
 * Removing an element the replica does not hold returns {@link bottom}, a delta
 * that changes nothing.
 *
 * @param state - the replica's current state
 * @param replica - the replica removing (unused: a remove makes no dot; kept so
 * every mutator has the same shape)
 * @param value - a JSON value
 * @returns the delta: no entries, and the removed dots as its context
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const a = asReplicaId('a');
 * let state = ORSet.merge(ORSet.bottom, ORSet.add(ORSet.bottom, a, 'x'));
 * state = ORSet.merge(state, ORSet.remove(state, a, 'x'));
 * ORSet.has(state, 'x'); // => false
 * ```
 */
export function remove(state: ORSet, replica: ReplicaId, value: JsonValue): ORSet {
  void replica;
  const key = canonicalKey(value);
  const dots = state.entries.get(key);
  return dots ? of(new Map(), contextFromDots(liveDots(dots))) : bottom;
}

/**
 * Delta mutator: removes every element this replica holds (each observed add).
 * Elements added concurrently elsewhere survive.
 *
 * @param state - the replica's current state
 * @param replica - the replica clearing (unused, as for {@link remove})
 * @returns the delta: no entries, every live dot as its context
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const a = asReplicaId('a');
 * let state = ORSet.merge(ORSet.bottom, ORSet.add(ORSet.bottom, a, 'x'));
 * state = ORSet.merge(state, ORSet.add(state, a, 'y'));
 * state = ORSet.merge(state, ORSet.clear(state, a));
 * ORSet.size(state); // => 0
 * ```
 */
export function clear(state: ORSet, replica: ReplicaId): ORSet {
  void replica;
  const dots: Dot[] = [];
  for (const entry of state.entries.values()) dots.push(...liveDots(entry));
  return dots.length === 0 ? bottom : of(new Map(), contextFromDots(dots));
}

/**
 * Whether `value` is in the set.
 *
 * @param state - a state
 * @param value - a JSON value
 * @returns `true` when some add of it is live
 * @throws InvalidValueError if `value` is not a JSON value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const state = ORSet.add(ORSet.bottom, asReplicaId('a'), [1, 2]);
 * ORSet.has(state, [1, 2]); // => true
 * ORSet.has(state, [2, 1]); // => false
 * ```
 */
export function has(state: ORSet, value: JsonValue): boolean {
  return state.entries.has(canonicalKey(value));
}

/**
 * The elements, in ascending order of their canonical keys (the same order on
 * every replica). Each call returns fresh copies, so changing them changes
 * nothing in the set.
 *
 * @param state - a state
 * @returns the elements
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const a = asReplicaId('a');
 * let state = ORSet.merge(ORSet.bottom, ORSet.add(ORSet.bottom, a, 'pear'));
 * state = ORSet.merge(state, ORSet.add(state, a, 'apple'));
 * ORSet.elements(state); // => ['apple', 'pear']
 * ```
 */
export function elements(state: ORSet): JsonValue[] {
  return [...state.entries.keys()].sort().map((key) => JSON.parse(key) as JsonValue);
}

/**
 * The number of elements.
 *
 * @param state - a state
 * @returns how many elements are in the set
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * ORSet.size(ORSet.add(ORSet.bottom, asReplicaId('a'), 'x')); // => 1
 * ```
 */
export function size(state: ORSet): number {
  return state.entries.size;
}

/**
 * Join of two states: a dot stays live if both sides hold it, or if one side
 * holds it and the other has never seen it; a dot one side has seen but no longer
 * holds was removed. Contexts are united.
 *
 * @param a - one state
 * @param b - another
 * @returns the least upper bound
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const phone = ORSet.add(ORSet.bottom, asReplicaId('phone'), 'tv');
 * const laptop = ORSet.add(ORSet.bottom, asReplicaId('laptop'), 'laptop');
 * ORSet.elements(ORSet.merge(phone, laptop)); // => ['laptop', 'tv']
 * ```
 */
export function merge(a: ORSet, b: ORSet): ORSet {
  if (a === b) return a;
  const entries = mergeKeyed(
    a,
    b,
    (da, ca, db, cb) => (da && db ? join(da, db, ca, cb) : da ? survivors(da, cb) : survivors(db!, ca)),
    // Each element's dots for the dot index: the map itself in the common case.
    (dots) => (dots.earlier ? liveDots(dots).map(({ replica, counter }): [ReplicaId, number] => [replica, counter]) : dots),
  );
  return of(entries, mergeContexts(a.context, b.context));
}

/** The dots of `dots` that `context` has not seen: `dots` itself if all, `undefined` if none. */
function survivors(dots: ElementDots, context: DotContext): ElementDots | undefined {
  // The common case, read without copying: one dot per replica, none of them seen.
  if (!dots.earlier && ![...dots].some(([replica, counter]) => hasDot(context, { replica, counter }))) return dots;
  const all = liveDots(dots);
  const kept = all.filter((dot) => !hasDot(context, dot));
  return kept.length === all.length ? dots : kept.length > 0 ? elementDots(kept) : undefined;
}

/**
 * An element both sides hold: dots held by both, or by one side and unseen by the
 * other. A later dot of a replica does not by itself replace an older one: only a
 * context that has seen the older dot does (see {@link ElementDots}).
 */
function join(da: ElementDots, db: ElementDots, ca: DotContext, cb: DotContext): ElementDots | undefined {
  if (sameDots(da, db)) return da;
  const kept = [
    ...liveDots(da).filter((dot) => holds(db, dot) || !hasDot(cb, dot)),
    ...liveDots(db).filter((dot) => !holds(da, dot) && !hasDot(ca, dot)),
  ];
  return kept.length > 0 ? elementDots(kept) : undefined;
}

/**
 * Whether `b` has seen everything `a` has: `a`'s context is in `b`'s, and every
 * live dot of `b` that `a` has seen is live in `a` too.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` iff `merge(a, b)` equals `b`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const one = ORSet.add(ORSet.bottom, asReplicaId('a'), 'x');
 * ORSet.leq(ORSet.bottom, one); // => true
 * ORSet.leq(one, ORSet.bottom); // => false
 * ```
 */
export function leq(a: ORSet, b: ORSet): boolean {
  if (!contextLeq(a.context, b.context)) return false;
  for (const [key, db] of b.entries) {
    const da = a.entries.get(key);
    for (const dot of liveDots(db)) if (!(da && holds(da, dot)) && hasDot(a.context, dot)) return false;
  }
  return true;
}

/**
 * Structural equality of two states: the same live dots per element and the same
 * context.
 *
 * @param a - one state
 * @param b - another
 * @returns `true` when equal
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORSet from '@convergent/or-set';
 *
 * const a = asReplicaId('a');
 * ORSet.equals(ORSet.add(ORSet.bottom, a, 'x'), ORSet.add(ORSet.bottom, a, 'x')); // => true
 * ORSet.equals(ORSet.add(ORSet.bottom, a, 'x'), ORSet.add(ORSet.bottom, a, 'y')); // => false
 * ```
 */
export function equals(a: ORSet, b: ORSet): boolean {
  if (a.entries.size !== b.entries.size || !contextEquals(a.context, b.context)) return false;
  for (const [key, da] of a.entries) {
    const db = b.entries.get(key);
    if (!db || !sameDots(da, db)) return false;
  }
  return true;
}
