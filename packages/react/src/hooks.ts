import { useCallback, useDebugValue, useSyncExternalStore } from 'react';
import { useSyncExternalStoreWithSelector } from 'use-sync-external-store/with-selector';
import type { Source, Status } from './source.js';

// One subscribe function per source, so React subscribes once, not on every render.
const useSubscribe = (source: Source<unknown>) => useCallback((listener: () => void) => source.subscribe(listener), [source]);

/**
 * The source's current state; the component re-renders whenever it changes. Built
 * on `useSyncExternalStore`, so a render never tears; the server snapshot (for
 * server rendering and hydration) is the source's `serverState`, else its `state`.
 *
 * @typeParam S - the state type
 * @param source - a `Replica` of `@convergent/sync`, a {@link restoring} one, or any {@link Source}
 * @returns the state
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import { useReplica } from '@convergent/react';
 * import { Replica } from '@convergent/sync';
 * import { createElement } from 'react';
 * import { renderToString } from 'react-dom/server';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const phone = new Replica({ id: asReplicaId('phone'), type: Cart, gossipMs: 0 });
 * phone.update((s, me) => Cart.update(s, me, 'milk', (v, r) => ORMap.increment(v, r, 2)));
 * function Total() {
 *   const cart = useReplica(phone);
 *   return createElement('p', null, `${Cart.size(cart)} item`);
 * }
 * renderToString(createElement(Total)); // => '<p>1 item</p>'
 * ```
 */
export function useReplica<S>(source: Source<S>): S {
  const state = useSyncExternalStore(
    useSubscribe(source),
    () => source.state,
    () => source.serverState ?? source.state,
  );
  useDebugValue(state);
  return state;
}

/**
 * A value selected from the source's state; the component re-renders only when
 * the selected value changes by `equals` (default `Object.is`). Select from a
 * type's `snapshot`: snapshots are structurally shared, so an entry that did not
 * change is the same object, and its component does not re-render.
 *
 * @typeParam S - the state type
 * @typeParam T - the selected value's type
 * @param source - a `Replica` of `@convergent/sync`, a {@link restoring} one, or any {@link Source}
 * @param select - picks the value from a state (pure; it may be a new function each render)
 * @param equals - whether two selected values are the same (default `Object.is`; {@link shallowEqual} for arrays and objects built by `select`)
 * @returns the selected value
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import { useSelector } from '@convergent/react';
 * import { Replica } from '@convergent/sync';
 * import { createElement } from 'react';
 * import { renderToString } from 'react-dom/server';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const phone = new Replica({ id: asReplicaId('phone'), type: Cart, gossipMs: 0 });
 * phone.update((s, me) => Cart.update(s, me, 'milk', (v, r) => ORMap.increment(v, r, 2)));
 * function Item({ name }: { name: string }) {
 *   const quantity = useSelector(phone, (cart) => Cart.snapshot(cart)[name] ?? 0);
 *   return createElement('li', null, `${name}: ${quantity}`);
 * }
 * renderToString(createElement(Item, { name: 'milk' })); // => '<li>milk: 2</li>'
 * ```
 */
export function useSelector<S, T>(source: Source<S>, select: (state: S) => T, equals: (a: T, b: T) => boolean = Object.is): T {
  const selected = useSyncExternalStoreWithSelector(
    useSubscribe(source),
    () => source.state,
    () => source.serverState ?? source.state,
    select,
    equals,
  );
  useDebugValue(selected);
  return selected;
}

/**
 * The source's {@link Status}: `'restoring'` while a persisted replica is being
 * restored, then `'ready'` (or `'failed'`); always `'ready'` for a source without
 * one, such as a `Replica`. Re-renders when it changes.
 *
 * @param source - a {@link restoring} source, a `Replica`, or any {@link Source}
 * @returns the status
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import { restoring, useStatus } from '@convergent/react';
 * import { createElement } from 'react';
 * import { renderToString } from 'react-dom/server';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const doc = restoring(new Promise<never>(() => {}), Cart.bottom);
 * function Saved() {
 *   return createElement('span', null, useStatus(doc) === 'restoring' ? 'loading…' : 'ready');
 * }
 * renderToString(createElement(Saved)); // => '<span>loading…</span>'
 * ```
 */
export function useStatus(source: Source<unknown>): Status {
  const status = useSyncExternalStore(
    useSubscribe(source),
    () => source.status ?? 'ready',
    () => source.status ?? 'ready',
  );
  useDebugValue(status);
  return status;
}

/**
 * Whether two values are equal one level deep: the same value (`Object.is`), or
 * arrays of the same length, or plain objects with the same keys, whose items are
 * `Object.is`-equal. For {@link useSelector} when `select` builds a new array or
 * object each time (the keys of a map, a few fields of a struct).
 *
 * @param a - one value
 * @param b - another
 * @returns `true` when equal one level deep
 *
 * @example
 * ```ts
 * import { shallowEqual } from '@convergent/react';
 *
 * shallowEqual(['milk', 'eggs'], ['milk', 'eggs']); // => true
 * shallowEqual({ a: 1 }, { a: 2 }); // => false
 * ```
 */
export function shallowEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length &&
    keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}
