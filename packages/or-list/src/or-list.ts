import { DecodeError, ensureHeadroom, jsonArray, jsonNat, jsonReplicaId, PersistentMap, type Reader, type ReplicaId, type Writer } from '@convergent/core';
import { cachedSnapshot, causal, deltaOf, isLive, MAX_DEPTH, nestedChecks, resetOf, type CausalType, type Embeddable, type HasContext, type HasKind } from '@convergent/or-map';
import { DotContext, mergeKeyed, type KeyedDots } from '@convergent/version-vector';
import { orderOf, placeInto, waitingOf, type Order, type Slot } from './order.js';

/**
 * One element of a list as its state holds it. Its id is the dot its inserter
 * made for its position; `slot` is that position (live while the id's dot is),
 * `born` whether the dot that keeps the element alive until it is removed is live, and
 * `value` the element's own dot store.
 *
 * @typeParam S - the elements' dot store
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import * as ORList from '@convergent/or-list';
 *
 * const Scores = ORList.of(ORMap.counter);
 * const s = Scores.insert(Scores.bottom, asReplicaId('a'), 0);
 * const element: ORList.Element<ORMap.CounterStore> = [...s.entries.values()][0]!;
 * [element.replica, element.counter, element.born]; // => ['a', 1, true]
 * ```
 */
export interface Element<S> {
  /** The inserting replica (the replica of the id's dot). */
  readonly replica: ReplicaId;
  /** The counter of the id's dot. */
  readonly counter: number;
  /** The element's position; absent once a remove of the whole list has seen it. */
  readonly slot: Slot | undefined;
  /** Whether the inserter's presence dot (the id's counter + 1) is live: cleared once the element is removed. */
  readonly born: boolean;
  /** The element's value. */
  readonly value: S;
}

/**
 * A state of an observed-remove list: its elements by id, and the one causal
 * context they all share. An element the list no longer needs is absent: a
 * removed element keeps only its position (id, origin and stamp, no value),
 * because later elements are placed after it; a removed list keeps nothing.
 *
 * @typeParam S - the elements' dot store
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import * as ORList from '@convergent/or-list';
 *
 * const list: ORList.ORList<ORMap.CounterStore> = ORList.of(ORMap.counter).bottom;
 * list.entries.size; // => 0
 * ```
 */
export type ORList<S> = KeyedDots<Element<S>>;

/**
 * A list type: the lattice of its states, mutators, queries and codecs, and, as
 * `kind`, the list as a map value, struct field or element of another list.
 * Made by {@link of}.
 *
 * @typeParam T - the elements' state, as their mutators take it
 * @typeParam S - the elements' dot store
 * @typeParam V - the elements' snapshot
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import * as ORList from '@convergent/or-list';
 *
 * const Scores: ORList.ORListType<ORMap.CausalCounter, ORMap.CounterStore, number> = ORList.of(ORMap.counter);
 * Scores.length(Scores.bottom); // => 0
 * ```
 */
export interface ORListType<T, S, V> extends CausalType<ORList<S>> {
  /** The list as the value of a map, a struct field or a list element. */
  readonly kind: Embeddable<ORList<S>, PersistentMap<Element<S>>, readonly V[]>;
  /**
   * Delta mutator: inserts an element at `index`, its value written by `mutate`
   * (or left at its default). The element goes right after the element now at
   * `index - 1`, before any element inserted there concurrently (RGA order).
   * @param state - the replica's current state
   * @param replica - the acting replica
   * @param index - 0 to `length(state)`
   * @param mutate - the new value's delta mutator, given the default value
   * @returns the delta: the element, its position and its value
   * @throws RangeError if `index` is out of range
   */
  insert(state: ORList<S>, replica: ReplicaId, index: number, mutate?: (value: T, replica: ReplicaId) => T): ORList<S>;
  /**
   * Delta mutator: changes the element at `index` through its own type's mutator.
   * @param state - the replica's current state
   * @param replica - the acting replica
   * @param index - 0 to `length(state) - 1`
   * @param mutate - the value's delta mutator
   * @returns the delta, holding that element's delta alone
   * @throws RangeError if `index` is out of range
   */
  update(state: ORList<S>, replica: ReplicaId, index: number, mutate: (value: T, replica: ReplicaId) => T): ORList<S>;
  /**
   * Delta mutator: removes the element at `index`, that is, every dot of it this
   * replica has seen (observed-remove with reset). An edit made concurrently
   * elsewhere survives, alone, and the element stays where it was.
   * @param state - the replica's current state
   * @param replica - the acting replica (a remove makes no dot)
   * @param index - 0 to `length(state) - 1`
   * @returns the delta: the removed dots as its context, and no entries (for an
   * element holding text, what the text's `reset` leaves: its characters deleted)
   * @throws RangeError if `index` is out of range
   */
  remove(state: ORList<S>, replica: ReplicaId, index: number): ORList<S>;
  /**
   * The element at `index`, as its mutators take it.
   * @param state - a state
   * @param index - 0 to `length(state) - 1`
   * @returns its value
   * @throws RangeError if `index` is out of range
   */
  get(state: ORList<S>, index: number): T;
  /**
   * The number of elements.
   * @param state - a state
   * @returns the count
   */
  length(state: ORList<S>): number;
  /**
   * Every element, in order, as its mutators take it.
   * @param state - a state
   * @returns the values
   */
  values(state: ORList<S>): T[];
  /**
   * The plain snapshot, for rendering: an array of the elements' snapshots,
   * structurally shared with earlier snapshots.
   * @param state - a state
   * @returns a frozen array
   */
  snapshot(state: ORList<S>): readonly V[];
}

const keyOf = (replica: string, counter: number): string => `${counter} ${replica}`;
const FLAG_SLOT = 1;
const FLAG_AFTER = 2;
const FLAG_BORN = 4;

/**
 * Makes the type of observed-remove lists whose elements are values of one
 * embeddable type: a kind of `@convergent/or-map` (`ORMap.counter`, `ORMap.set`,
 * `ORMap.register`), a map, struct or list type. Elements are in RGA order (an
 * insert goes right after its left neighbour, before concurrent inserts there).
 * Every element shares the list's causal context, so one replica can insert and
 * remove elements while another edits an element's fields, and nothing is lost:
 * removing an element resets what the remover had seen, an edit it had not seen
 * survives alone and the element stays where it was. A new element with nothing
 * written shows its type's default.
 *
 * @typeParam T - the elements' state
 * @typeParam S - the elements' dot store
 * @typeParam V - the elements' snapshot
 * @param value - the elements' kind, or a map, struct or list type
 * @returns the list type
 * @throws RangeError if types nest deeper than `MAX_DEPTH` of `@convergent/or-map`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import * as ORMap from '@convergent/or-map';
 * import * as ORList from '@convergent/or-list';
 * import * as Struct from '@convergent/struct';
 *
 * const Todo = Struct.of({ title: ORMap.register, done: ORMap.register });
 * const Todos = ORList.of(Todo);
 * const [ann, ben] = [asReplicaId('ann'), asReplicaId('ben')];
 * let list = Todos.merge(Todos.bottom, Todos.insert(Todos.bottom, ann, 0, (t, r) => Todo.update(t, r, 'title', (v, me) => MVRegister.set(v, me, 'milk'))));
 * const removed = Todos.remove(list, ann, 0); // Ann removes it while Ben ticks it
 * const ticked = Todos.update(list, ben, 0, (t, r) => Todo.update(t, r, 'done', (v, me) => MVRegister.set(v, me, true)));
 * list = Todos.merge(Todos.merge(list, removed), ticked);
 * Todos.snapshot(list); // => [{ title: [], done: [true] }]
 * ```
 */
export function of<T, S, V>(value: Embeddable<T, S, V> | HasKind<Embeddable<T, S, V>>): ORListType<T, S, V> {
  const kind: Embeddable<T, S, V> = 'kind' in value ? value.kind : value;
  if (kind.depth + 1 > MAX_DEPTH) throw new RangeError(`types nest at most ${MAX_DEPTH} levels deep`);
  type L = ORList<S>;
  type E = Element<S>;
  type Store = PersistentMap<E>;
  const state = (entries: Store, context: DotContext): L => Object.freeze({ entries, context });
  const bottom = state(PersistentMap.empty(), DotContext.bottom);
  const element = (replica: ReplicaId, counter: number, slot: Slot | undefined, born: boolean, v: S): E =>
    Object.freeze({ replica, counter, slot, born, value: v });
  const alive = (e: E): boolean => e.born || isLive(kind, e.value);
  const needed = (e: E): boolean => e.slot !== undefined || e.born || !kind.isEmpty(e.value);

  /** Per entries map: the keys in list order, the live ones, the largest stamp, and the origins awaited. */
  type Layout = Order & { readonly live: readonly string[]; readonly stamp: number };
  const layouts = new WeakMap<Store, Layout>();
  const withLive = (entries: Store, o: Order, stamp: number): Layout => ({ ...o, stamp, live: o.order.filter((key) => alive(entries.get(key)!)) });
  const layout = (entries: Store): Layout => {
    let out = layouts.get(entries);
    if (!out) {
      let stamp = 0;
      for (const e of entries.values()) if (e.slot && e.slot.stamp > stamp) stamp = e.slot.stamp;
      layouts.set(entries, (out = withLive(entries, { order: orderOf(entries, entries), waiting: waitingOf(entries.values(), entries) }, stamp)));
    }
    return out;
  };
  // Set by a join when an element goes, or gains or loses its position: the order must
  // be computed again. A new placed element is only collected in `added`, and put into
  // the order of the side the join built on; otherwise (an edit, a remove) that order
  // is kept, and only which elements are live is redone.
  let moved = false;
  let added: Array<[string, E]> = [];
  // Set when an element held before comes to life or dies: which are live is redone.
  let relived = false;
  /**
   * `known.live` with the live elements of `added`, each after the nearest live element
   * before it in `order`; left to right, so that an added one before it is in already.
   * Many added (a merge of a whole state) are cheaper filtered afresh.
   */
  const liveWith = (known: readonly string[], order: readonly string[], entries: Store): readonly string[] => {
    if (added.length > 16) return order.filter((key) => alive(entries.get(key)!));
    const live = known.slice();
    const at = added.filter(([, e]) => alive(e)).map(([key]) => order.indexOf(key));
    for (const j of at.sort((p, q) => p - q)) {
      let i = j - 1;
      while (i >= 0 && !alive(entries.get(order[i]!)!)) i--;
      live.splice(i < 0 ? 0 : live.indexOf(order[i]!) + 1, 0, order[j]!);
    }
    return live;
  };
  const at = (s: L, index: number, max: number): string => {
    checkIndex(index, max);
    return layout(s.entries).live[index]!;
  };
  const liveOf = (s: L) => layout(s.entries).live;

  // A dot survives a join if both sides hold it, or one does and the other has never seen it.
  const survives = (mine: number | undefined, theirs: number | undefined, replica: ReplicaId, seen: DotContext): boolean =>
    mine !== undefined && (theirs === mine || !DotContext.has(seen, { replica, counter: mine }));
  const joinElement = (x: E | undefined, cx: DotContext, y: E | undefined, cy: DotContext): E | undefined => {
    const e = (x ?? y)!;
    const [xs, ys] = [x?.slot && e.counter, y?.slot && e.counter];
    const slot = survives(xs, ys, e.replica, cy) || survives(ys, xs, e.replica, cx) ? (x?.slot ?? y?.slot) : undefined;
    const [xb, yb] = [x?.born ? e.counter + 1 : undefined, y?.born ? e.counter + 1 : undefined];
    const born = survives(xb, yb, e.replica, cy) || survives(yb, xb, e.replica, cx);
    const joined = kind.join(x?.value ?? kind.empty, cx, y?.value ?? kind.empty, cy);
    if (x && slot === x.slot && born === x.born && joined === x.value) return x;
    const out = element(e.replica, e.counter, slot, born, joined);
    const kept = needed(out) ? out : undefined;
    if (!x && kept?.slot) added.push([keyOf(e.replica, e.counter), kept]);
    else if (!x || !kept || (x.slot === undefined) !== (kept.slot === undefined)) moved = true;
    else if (alive(x) !== alive(kept)) relived = true;
    return kept;
  };
  const dotsOf = (e: E): Array<readonly [ReplicaId, number]> => {
    const out: Array<readonly [ReplicaId, number]> = [...kind.dots(e.value)];
    if (e.slot) out.push([e.replica, e.counter]);
    if (e.born) out.push([e.replica, e.counter + 1]);
    return out;
  };
  const sorted = (entries: Store): E[] => [...entries.values()].sort((p, q) => (p.replica < q.replica ? -1 : p.replica > q.replica ? 1 : p.counter - q.counter));
  const checkedEntries = (list: E[], fail: (message: string, i: number) => never): Store => {
    list.forEach((e, i) => {
      const previous = list[i - 1];
      if (previous && (previous.replica > e.replica || (previous.replica === e.replica && previous.counter >= e.counter))) fail('elements out of order or repeated', i);
      if (!needed(e)) fail('element with nothing to keep', i);
    });
    return PersistentMap.from(list.map((e) => [keyOf(e.replica, e.counter), e]));
  };

  const inner = nestedChecks([kind], function* (store: Store) {
    for (const e of store.values()) yield [kind, e.value] as const;
  });
  const listKind: Embeddable<L, Store, readonly V[]> = Object.freeze({
    empty: bottom.entries,
    depth: kind.depth + 1,
    // Only for elements that keep something after a remove (text): see `Embeddable.reset`.
    ...(kind.live && { live: (store: Store) => [...store.values()].some(alive) }),
    ...(kind.reset && {
      reset: (store: Store, replica: ReplicaId) =>
        PersistentMap.from(
          [...store]
            .map(([key, e]): [string, E] => [key, element(e.replica, e.counter, undefined, false, kind.reset!(e.value, replica))])
            .filter(([, e]) => !kind.isEmpty(e.value)),
        ),
    }),
    ...(kind.authors && { authors: inner.authors }),
    // An insert stamps its element one past the largest stamp it holds.
    validate(store: Store) {
      let stamp = 0;
      for (const e of store.values()) if (e.slot && e.slot.stamp > stamp) stamp = e.slot.stamp;
      ensureHeadroom('list position stamp', stamp, store.size);
      inner.validate?.(store);
    },
    view: state,
    storeOf: (s: L) => s.entries,
    isEmpty: (store: Store) => store.size === 0,
    join(a: Store, ac: DotContext, b: Store, bc: DotContext): Store {
      const [outerMoved, outerAdded, outerRelived] = [moved, added, relived];
      [moved, added, relived] = [false, [], false];
      const out = mergeKeyed({ entries: a, context: ac }, { entries: b, context: bc }, joinElement, dotsOf);
      // mergeKeyed builds on the larger side, and calls joinElement with its elements first.
      const known = layouts.get(a.size < b.size ? b : a);
      if (!moved && known && !layouts.has(out)) {
        const placed = added.length === 0 ? known : placeInto(known, added, out);
        const stamp = added.reduce((max, [, e]) => Math.max(max, e.slot!.stamp), known.stamp);
        if (placed) layouts.set(out, relived ? withLive(out, placed, stamp) : { ...placed, stamp, live: added.length === 0 ? known.live : liveWith(known.live, placed.order, out) });
      }
      [added, relived] = [outerAdded, outerRelived];
      moved = outerMoved;
      return out;
    },
    equals: (a: Store, b: Store) =>
      a === b ||
      (a.size === b.size &&
        [...a].every(([key, e]) => {
          const f = b.get(key);
          return f !== undefined && f.born === e.born && f.slot?.after === e.slot?.after && f.slot?.stamp === e.slot?.stamp && kind.equals(e.value, f.value);
        })),
    dots: (store: Store) => [...store.values()].flatMap(dotsOf),
    snapshot: cachedSnapshot((store: Store) => Object.freeze(layout(store).live.map((key) => kind.snapshot(store.get(key)!.value)))),
    write(writer: Writer, store: Store, replicas: ReadonlyMap<ReplicaId, number>) {
      const list = sorted(store);
      writer.uint(list.length);
      for (const e of list) {
        const after = e.slot?.after == null ? undefined : idOf(e.slot.after);
        writeId(writer, replicas, e.replica, e.counter);
        writer.byte((e.slot ? FLAG_SLOT : 0) | (after ? FLAG_AFTER : 0) | (e.born ? FLAG_BORN : 0));
        if (after) writeId(writer, replicas, after[0] as ReplicaId, after[1]);
        if (e.slot) writer.uint(e.slot.stamp);
        kind.write(writer, e.value, replicas);
      }
    },
    read(reader: Reader, replicas: readonly ReplicaId[]) {
      const list: E[] = [];
      const starts: number[] = [];
      for (let n = reader.count(undefined, 4); n > 0; n--) {
        starts.push(reader.offset);
        const [replica, counter] = readId(reader, replicas);
        const flags = reader.byte();
        if (flags > 7 || (flags & (FLAG_SLOT | FLAG_AFTER)) === FLAG_AFTER) reader.fail('bad element flags');
        const after = flags & FLAG_AFTER ? keyOf(...readId(reader, replicas)) : null;
        const slot = flags & FLAG_SLOT ? Object.freeze({ after, stamp: positive(reader) }) : undefined;
        list.push(element(replica, counter, slot, (flags & FLAG_BORN) !== 0, kind.read(reader, replicas)));
      }
      return checkedEntries(list, (message, i) => reader.fail(message, starts[i]));
    },
    toJSON: (store: Store) =>
      sorted(store).map((e) => [
        e.replica,
        e.counter,
        e.slot ? [e.slot.after === null ? null : idOf(e.slot.after), e.slot.stamp] : null,
        e.born,
        kind.toJSON(e.value),
      ]),
    fromJSON(json: unknown, path: string) {
      const list = jsonArray(json, path).map((item, i): E => {
        const at = `${path}[${i}]`;
        const tuple = jsonArray(item, at, 5);
        if (tuple.length !== 5 || typeof tuple[3] !== 'boolean') throw new DecodeError('expected [replica, counter, slot, born, value]', { path: at });
        const counter = positiveJSON(tuple[1], at);
        let slot: Slot | undefined;
        if (tuple[2] !== null) {
          const pair = jsonArray(tuple[2], `${at}[2]`, 2);
          if (pair.length !== 2) throw new DecodeError('expected [after, stamp]', { path: `${at}[2]` });
          let after: string | null = null;
          if (pair[0] !== null) {
            const id = jsonArray(pair[0], `${at}[2][0]`, 2);
            if (id.length !== 2) throw new DecodeError('expected [replica, counter]', { path: `${at}[2][0]` });
            after = keyOf(jsonReplicaId(id[0], `${at}[2][0]`), positiveJSON(id[1], `${at}[2][0]`));
          }
          slot = Object.freeze({ after, stamp: positiveJSON(pair[1], `${at}[2]`) });
        }
        return element(jsonReplicaId(tuple[0], at), counter, slot, tuple[3], kind.fromJSON(tuple[4], `${at}[4]`));
      });
      return checkedEntries(list, (message, i) => {
        throw new DecodeError(message, { path: `${path}[${i}]` });
      });
    },
  });

  return Object.freeze({
    ...causal(listKind),
    kind: listKind,
    insert(s: L, replica: ReplicaId, index: number, mutate?: (v: T, replica: ReplicaId) => T): L {
      const live = liveOf(s);
      checkIndex(index, live.length);
      const { order, stamp } = layout(s.entries);
      // Right after the left neighbour's position. A neighbour without one (its list was
      // reset while it was edited) is placed last, so the nearest one before it is used.
      let i = index === 0 ? -1 : order.indexOf(live[index - 1]!);
      while (i >= 0 && !s.entries.get(order[i]!)!.slot) i--;
      const after = i < 0 ? null : order[i]!;
      const id = DotContext.next(s.context, replica);
      if (id.counter >= Number.MAX_SAFE_INTEGER) throw new RangeError('dot counter past Number.MAX_SAFE_INTEGER');
      const born = { replica, counter: id.counter + 1 };
      const own = DotContext.fromDots([id, born]);
      const written = mutate ? deltaOf(kind as Embeddable<T & HasContext, S, V>, kind.empty, mutate(kind.view(kind.empty, DotContext.merge(s.context, own)), replica) as T & HasContext) : undefined;
      const e = element(replica, id.counter, Object.freeze({ after, stamp: stamp + 1 }), true, written?.store ?? kind.empty);
      return state(bottom.entries.set(keyOf(replica, id.counter), e), written ? DotContext.merge(own, written.context) : own);
    },
    update(s: L, replica: ReplicaId, index: number, mutate: (v: T, replica: ReplicaId) => T): L {
      const key = at(s, index, liveOf(s).length - 1);
      const e = s.entries.get(key)!;
      const { store, context } = deltaOf(kind as Embeddable<T & HasContext, S, V>, e.value, mutate(kind.view(e.value, s.context), replica) as T & HasContext);
      return state(kind.isEmpty(store) ? bottom.entries : bottom.entries.set(key, element(e.replica, e.counter, undefined, false, store)), context);
    },
    remove(s: L, replica: ReplicaId, index: number): L {
      const key = at(s, index, liveOf(s).length - 1);
      const e = s.entries.get(key)!;
      const seen = [...kind.dots(e.value)].map(([r, counter]) => ({ replica: r, counter }));
      if (e.born) seen.push({ replica: e.replica, counter: e.counter + 1 });
      const left = resetOf(kind, e.value, replica);
      const entries = kind.isEmpty(left) ? bottom.entries : bottom.entries.set(key, element(e.replica, e.counter, undefined, false, left));
      return state(entries, DotContext.fromDots(seen));
    },
    get: (s: L, index: number): T => kind.view(s.entries.get(at(s, index, liveOf(s).length - 1))!.value, s.context),
    length: (s: L) => liveOf(s).length,
    values: (s: L) => liveOf(s).map((key) => kind.view(s.entries.get(key)!.value, s.context)),
    snapshot: (s: L) => listKind.snapshot(s.entries),
  });
}

function checkIndex(index: number, max: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > max) throw new RangeError(`index ${String(index)} is out of range 0..${max}`);
}

function idOf(key: string): [string, number] {
  const space = key.indexOf(' ');
  return [key.slice(space + 1), Number(key.slice(0, space))];
}

// An element id's replica (or an origin's) is usually in the context's table: then its
// index + 1, else 0 and the id itself (an edit delta names elements others inserted).
function writeId(writer: Writer, replicas: ReadonlyMap<ReplicaId, number>, replica: ReplicaId, counter: number): void {
  const index = replicas.get(replica);
  (index === undefined ? writer.uint(0).string(replica) : writer.uint(index + 1)).uint(counter);
}

function readId(reader: Reader, replicas: readonly ReplicaId[]): [ReplicaId, number] {
  const at = reader.offset;
  const index = reader.uint(replicas.length);
  const replica = index > 0 ? replicas[index - 1]! : reader.replicaId();
  if (index === 0 && replicas.includes(replica)) reader.fail('replica written out, not by index', at);
  return [replica, positive(reader)];
}

function positive(reader: Reader): number {
  const at = reader.offset;
  const n = reader.uint();
  if (n < 1) reader.fail('counter 0', at);
  return n;
}

function positiveJSON(json: unknown, path: string): number {
  const n = jsonNat(json, path);
  if (n < 1) throw new DecodeError('counter 0', { path });
  return n;
}
