// Server rendering (Node, no DOM) and hydration of what the server rendered.
import { asReplicaId } from '@convergent/core';
import * as ORMap from '@convergent/or-map';
import { Replica } from '@convergent/sync';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { expect, test } from 'vitest';
import { restoring, useReplica, useSelector, useStatus } from '../src/index.js';

const Cart = ORMap.of(ORMap.counter);
type Cart = typeof Cart.bottom;

test('renderToString renders the replica state through useReplica and useSelector', () => {
  const server = new Replica({ id: asReplicaId('server'), type: Cart, gossipMs: 0 });
  server.update((s, me) => Cart.update(s, me, 'milk', (v, r) => ORMap.increment(v, r, 2)));
  function App() {
    const cart = useReplica(server);
    const milk = useSelector(server, (s) => Cart.snapshot(s).milk);
    return h('p', null, `${Cart.size(cart)} item, milk ${milk}`);
  }
  expect(renderToString(h(App))).toBe('<p>1 item, milk 2</p>');
});

test('a restoring source renders its initial state (the server snapshot) and status', () => {
  const rendered = Cart.fromJSON({ context: { vector: [['server', 1]], cloud: [] }, entries: [['milk', [['server', 1, 2]]]] });
  const doc = restoring(new Promise<Replica<Cart>>(() => {}), rendered);
  function App() {
    return h('p', null, `${useStatus(doc)} ${JSON.stringify(useSelector(doc, Cart.snapshot))}`);
  }
  expect(renderToString(h(App))).toBe('<p>restoring {&quot;milk&quot;:2}</p>');
});
