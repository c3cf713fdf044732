// @vitest-environment happy-dom
// What the server rendered hydrates without a mismatch while the client's replica is
// still being restored, then shows the restored state.
import { asReplicaId } from '@convergent/core';
import * as ORMap from '@convergent/or-map';
import { Replica } from '@convergent/sync';
import { act } from '@testing-library/react';
import { createElement as h } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { expect, test } from 'vitest';
import { restoring, useSelector, type Source } from '../src/index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
const Cart = ORMap.of(ORMap.counter);
type Cart = typeof Cart.bottom;

// The view of the state does not depend on the status, so the server (whose replica
// is ready) and the hydrating client (still restoring) render the same HTML.
function App({ source }: { source: Source<Cart> }) {
  return h('p', null, JSON.stringify(useSelector(source, Cart.snapshot)));
}

test('server HTML hydrates against the restoring source, then the restored replica shows', async () => {
  const server = new Replica({ id: asReplicaId('server'), type: Cart, gossipMs: 0 });
  server.update((s, me) => Cart.update(s, me, 'milk', (v, r) => ORMap.increment(v, r, 2)));
  const payload = Cart.encode(server.state);
  const container = document.createElement('div');
  container.innerHTML = renderToString(h(App, { source: server }));
  expect(container.textContent).toBe('{"milk":2}');

  let finish!: (replica: Replica<Cart>) => void;
  const source = restoring(new Promise<Replica<Cart>>((resolve) => (finish = resolve)), Cart.decode(payload));
  const errors: unknown[] = [];
  await act(async () => {
    hydrateRoot(container, h(App, { source }), { onRecoverableError: (e) => errors.push(e) });
  });
  expect(errors).toEqual([]);
  expect([container.textContent, source.status]).toEqual(['{"milk":2}', 'restoring']);

  const local = new Replica({ id: asReplicaId('tab'), type: Cart, gossipMs: 0, initial: Cart.decode(payload) });
  local.update((s, me) => Cart.update(s, me, 'eggs', (v, r) => ORMap.increment(v, r, 6)));
  await act(async () => finish(local));
  expect([container.textContent, source.status]).toEqual(['{"eggs":6,"milk":2}', 'ready']);
});
