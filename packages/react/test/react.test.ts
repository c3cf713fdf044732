// @vitest-environment happy-dom
import { asReplicaId, type ReplicaId } from '@convergent/core';
import * as ORMap from '@convergent/or-map';
import { MemoryNetwork, Replica } from '@convergent/sync';
import { act, cleanup, render, screen } from '@testing-library/react';
import { createElement as h, memo, StrictMode } from 'react';
import { afterEach, describe, expect, test } from 'vitest';
import { restoring, shallowEqual, useReplica, useSelector, useStatus, type Source } from '../src/index.js';

// React's act() warns unless it is told it runs in a test environment.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
afterEach(cleanup);

const Cart = ORMap.of(ORMap.counter);
type Cart = typeof Cart.bottom;
const add = (item: string, n: number) => (s: Cart, me: ReplicaId) => Cart.update(s, me, item, (v, r) => ORMap.increment(v, r, n));
const replica = (id: string) => new Replica({ id: asReplicaId(id), type: Cart, gossipMs: 0 });

describe('useReplica', () => {
  test('renders the current state and re-renders on local and remote changes', () => {
    const net = new MemoryNetwork();
    const [phone, laptop] = [replica('phone'), replica('laptop')];
    phone.connect(net.transport('phone'));
    laptop.connect(net.transport('laptop'));
    function Total() {
      const cart = useReplica(phone);
      return h('p', { 'data-testid': 'total' }, String(Object.values(Cart.snapshot(cart)).reduce((a, b) => a + b, 0)));
    }
    render(h(StrictMode, null, h(Total)));
    expect(screen.getByTestId('total').textContent).toBe('0');
    act(() => void phone.update(add('milk', 2)));
    expect(screen.getByTestId('total').textContent).toBe('2');
    act(() => {
      laptop.update(add('eggs', 6));
      net.flush();
    });
    expect(screen.getByTestId('total').textContent).toBe('8');
  });

  test('a Replica is a Source as it is; unmounting unsubscribes', () => {
    const phone = replica('phone');
    const source: Source<Cart> = phone;
    let renders = 0;
    function Count() {
      renders++;
      return h('p', null, Cart.size(useReplica(source)));
    }
    const view = render(h(Count));
    view.unmount();
    const before = renders;
    phone.update(add('milk', 1));
    expect(renders).toBe(before);
  });
});

describe('useSelector: a row re-renders only when its entry changes', () => {
  test('1,000 rows of a 1,000-entry map; updating one entry re-renders that row alone', () => {
    const phone = replica('phone');
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    for (const key of keys) phone.update(add(key, 1));
    const renders = new Map<string, number>();
    let listRenders = 0;
    const Row = memo(function Row({ name }: { name: string }) {
      renders.set(name, (renders.get(name) ?? 0) + 1);
      const quantity = useSelector(phone, (cart) => Cart.snapshot(cart)[name]);
      return h('li', { 'data-testid': name }, `${name} ${quantity}`);
    });
    function List() {
      listRenders++;
      const names = useSelector(phone, Cart.keys, shallowEqual);
      return h('ul', null, names.map((name) => h(Row, { key: name, name })));
    }
    render(h(List));
    expect([listRenders, renders.size, [...renders.values()].every((n) => n === 1)]).toEqual([1, 1000, true]);

    act(() => void phone.update(add('k500', 1)));
    expect(screen.getByTestId('k500').textContent).toBe('k500 2');
    expect(renders.get('k500')).toBe(2);
    expect([...renders].filter(([name, n]) => name !== 'k500' && n !== 1)).toEqual([]);
    expect(listRenders).toBe(1); // the keys did not change

    // A new key re-renders the list, which adds one row; the memoised rows stay.
    act(() => void phone.update(add('k1000', 1)));
    expect([listRenders, renders.get('k1000'), renders.get('k0')]).toEqual([2, 1, 1]);
  });

  test('a struct-valued map: rows select their entry object; unchanged entries are the same object', async () => {
    const Scores = ORMap.of(ORMap.of(ORMap.counter));
    const club = new Replica({ id: asReplicaId('club'), type: Scores, gossipMs: 0 });
    for (const player of ['ann', 'ben']) club.update((s, me) => Scores.update(s, me, player, (m, r) => ORMap.of(ORMap.counter).update(m, r, 'wins', (v, r2) => ORMap.increment(v, r2, 1))));
    const renders: string[] = [];
    function Player({ name }: { name: string }) {
      renders.push(name);
      const stats = useSelector(club, (s) => Scores.snapshot(s)[name]);
      return h('p', null, `${name} ${stats?.wins}`);
    }
    render(h('div', null, h(Player, { name: 'ann' }), h(Player, { name: 'ben' })));
    act(() => void club.update((s, me) => Scores.update(s, me, 'ben', (m, r) => ORMap.of(ORMap.counter).update(m, r, 'wins', (v, r2) => ORMap.increment(v, r2, 1)))));
    expect(renders).toEqual(['ann', 'ben', 'ben']);
  });
});

describe('restoring', () => {
  test('shows the initial state while restoring, then the replica, with the status', async () => {
    let finish!: (value: { replica: Replica<Cart>; persistence: string }) => void;
    const doc = restoring(new Promise<{ replica: Replica<Cart>; persistence: string }>((resolve) => (finish = resolve)), Cart.bottom);
    function App() {
      const status = useStatus(doc);
      const cart = useSelector(doc, Cart.snapshot);
      return h('p', { 'data-testid': 'app' }, status === 'restoring' ? 'loading' : `${status}: ${JSON.stringify(cart)}`);
    }
    render(h(App));
    expect(screen.getByTestId('app').textContent).toBe('loading');
    const restored = replica('tab-2');
    restored.update(add('milk', 3));
    await act(async () => finish({ replica: restored, persistence: 'db' }));
    expect(screen.getByTestId('app').textContent).toBe('ready: {"milk":3}');
    expect(doc.result?.persistence).toBe('db');
    act(() => void restored.update(add('milk', 1)));
    expect(screen.getByTestId('app').textContent).toBe('ready: {"milk":4}');
  });

  test('a failed restore keeps the initial state and reports the error', async () => {
    const doc = restoring(Promise.reject(new Error('quota')), Cart.bottom);
    function App() {
      return h('p', { 'data-testid': 'app' }, useStatus(doc));
    }
    render(h(App));
    await act(async () => {});
    expect(screen.getByTestId('app').textContent).toBe('failed');
    expect((doc.error as Error).message).toBe('quota');
    expect(doc.state).toBe(Cart.bottom);
  });

  test('the replica is listened to only while a component listens', async () => {
    const restored = replica('tab');
    let listening = 0;
    const counted: Source<Cart> = {
      get state() {
        return restored.state;
      },
      subscribe(listener) {
        listening++;
        const off = restored.subscribe(listener);
        return () => (listening--, off());
      },
    };
    const doc = restoring(Promise.resolve(counted), Cart.bottom);
    await Promise.resolve();
    function App() {
      return h('p', null, Cart.size(useReplica(doc)));
    }
    const view = render(h(App));
    expect(listening).toBe(1);
    view.unmount();
    expect(listening).toBe(0);
  });
});

test('shallowEqual: one level deep, arrays and plain objects', () => {
  expect(shallowEqual([1, 'a'], [1, 'a'])).toBe(true);
  expect(shallowEqual([1], [1, 2])).toBe(false);
  expect(shallowEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
  expect(shallowEqual({ a: {} }, { a: {} })).toBe(false);
  expect(shallowEqual([], {})).toBe(false);
  expect(shallowEqual(null, {})).toBe(false);
  expect(shallowEqual(NaN, NaN)).toBe(true);
});
