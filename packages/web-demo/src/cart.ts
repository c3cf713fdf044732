// The shopping cart, rendered with React through @convergent/react: one useSelector per
// row, so a change to one item re-renders that row alone. Plain createElement: no JSX build step.
import { createElement as h, memo, useLayoutEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { shallowEqual, useSelector, useStatus, type Source } from '@convergent/react';
import { Cart } from './documents.js';

type CartState = typeof Cart.bottom;

/** What the rows' buttons do; called only once the replica is restored (rows exist only then). */
export interface CartActions {
  add(item: string, by: number): void;
  remove(item: string): void;
}

/** Renders per item, for the browser test: a change to one item must not re-render the others. */
export const rowRenders = new Map<string, number>();

const Row = memo(function Row({ source, item, actions }: { source: Source<CartState>; item: string; actions: CartActions }) {
  const quantity = useSelector(source, (state) => Cart.snapshot(state)[item] ?? 0);
  rowRenders.set(item, (rowRenders.get(item) ?? 0) + 1);
  const button = (text: string, title: string, className: string, onClick: () => void) => h('button', { type: 'button', title, className, onClick }, text);
  return h(
    'li',
    null,
    h('span', null, item),
    // − at quantity 1 removes the item rather than leaving a zero line.
    button('−', `one ${item} less`, 'less', () => (quantity > 1 ? actions.add(item, -1) : actions.remove(item))),
    h('output', null, String(quantity)),
    button('+', `one more ${item}`, 'more', () => actions.add(item, 1)),
    button('✕', `remove ${item}`, 'remove', () => actions.remove(item)),
  );
});

function CartList({ source, actions, settled }: { source: Source<CartState>; actions: CartActions; settled: () => void }) {
  const status = useStatus(source);
  const items = useSelector(source, (state) => Cart.keys(state), shallowEqual);
  useLayoutEffect(() => {
    if (status !== 'restoring') settled();
  }, [status, settled]);
  return h(
    'ul',
    { id: 'cart', 'data-status': status, 'aria-busy': status === 'restoring' },
    status === 'restoring' ? h('li', { className: 'status' }, 'restoring…') : items.map((item) => h(Row, { key: item, source, item, actions })),
  );
}

/**
 * Mounts the cart into `root`. `source` may still be restoring: the list says so until it is.
 * @param root - the element the list replaces the children of
 * @param source - the cart's replica, or `restoring(...)` of it
 * @param actions - what the buttons do
 * @returns a promise that resolves once the list shows the restored cart (or the failure)
 */
export function mountCart(root: HTMLElement, source: Source<CartState>, actions: CartActions): Promise<void> {
  return new Promise((settled) => createRoot(root).render(h(CartList, { source, actions, settled })));
}
