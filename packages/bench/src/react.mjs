// pnpm --filter @convergent/bench bench:react   (after pnpm build; React's production build)
// One entry of a 1,000-entry OR-Map of counters changes; 1,000 memoised rows show the
// entries. Rows that read their entry through useSelector (from the map with get, or
// from its snapshot) re-render alone; rows that read the whole state through
// useReplica all re-render. Timed: the update (delta and
// merge) plus React's synchronous commit (flushSync), in happy-dom, per update.
import { Window } from 'happy-dom';

const window = new Window();
globalThis.window = window;
globalThis.document = window.document;
globalThis.navigator ??= window.navigator;

const { asReplicaId } = await import('@convergent/core');
const ORMap = await import('@convergent/or-map');
const { Replica } = await import('@convergent/sync');
const { useReplica, useSelector } = await import('@convergent/react');
const { createElement: h, memo } = await import('react');
const { createRoot } = await import('react-dom/client');
const { flushSync } = await import('react-dom');

const Cart = ORMap.of(ORMap.counter);
const N = 1000;
const UPDATES = 500;

function run(mode) {
  const replica = new Replica({ id: asReplicaId('bench'), type: Cart, gossipMs: 0 });
  for (let i = 0; i < N; i++) replica.update((s, me) => Cart.update(s, me, `k${i}`, (v, r) => ORMap.increment(v, r, 1)));
  let renders = 0;
  const Row = memo(function Row({ name }) {
    renders++;
    const quantity =
      mode === 'useSelector, snapshot'
        ? useSelector(replica, (s) => Cart.snapshot(s)[name])
        : mode === 'useSelector, get'
          ? useSelector(replica, (s) => ORMap.count(Cart.get(s, name)))
          : Cart.snapshot(useReplica(replica))[name];
    return h('li', null, `${name} ${quantity}`);
  });
  const names = Array.from({ length: N }, (_, i) => `k${i}`);
  const container = document.createElement('div');
  const root = createRoot(container);
  flushSync(() => root.render(h('ul', null, names.map((name) => h(Row, { key: name, name })))));
  const bump = (i) => flushSync(() => replica.update((s, me) => Cart.update(s, me, `k${(i * 7) % N}`, (v, r) => ORMap.increment(v, r, 1))));
  for (let i = 0; i < 50; i++) bump(i); // warm up
  renders = 0;
  const start = performance.now();
  for (let i = 0; i < UPDATES; i++) bump(i);
  const ms = (performance.now() - start) / UPDATES;
  root.unmount();
  return { mode, msPerUpdate: ms, rowsRenderedPerUpdate: renders / UPDATES };
}

// Baseline: the replica update alone, no React.
{
  const replica = new Replica({ id: asReplicaId('bench'), type: Cart, gossipMs: 0 });
  for (let i = 0; i < N; i++) replica.update((s, me) => Cart.update(s, me, `k${i}`, (v, r) => ORMap.increment(v, r, 1)));
  const start = performance.now();
  for (let i = 0; i < UPDATES; i++) replica.update((s, me) => Cart.update(s, me, `k${(i * 7) % N}`, (v, r) => ORMap.increment(v, r, 1)));
  const mid = performance.now();
  for (let i = 0; i < UPDATES; i++) Cart.snapshot(Cart.merge(replica.state, Cart.update(replica.state, replica.id, `k${i % N}`, (v, r) => ORMap.increment(v, r, 1))));
  const end = performance.now();
  console.log(`no React: Replica.update ${((mid - start) / UPDATES).toFixed(3)} ms; update + merge + Cart.snapshot of the 1,000 entries ${((end - mid) / UPDATES).toFixed(3)} ms`);
}
for (const mode of ['useSelector, get', 'useSelector, snapshot', 'useReplica']) {
  const r = run(mode);
  console.log(`${r.mode.padEnd(22)} ${r.msPerUpdate.toFixed(3)} ms per update, ${r.rowsRenderedPerUpdate} rows rendered per update (of ${N})`);
}
await window.happyDOM.close();
