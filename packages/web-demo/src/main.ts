// Each tab is one replica of four documents, synced over one BroadcastChannel.
import { replicaId, type JsonValue } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import { BroadcastChannelTransport, Replica, WebSocketTransport, type Transport } from '@convergent/sync';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const me = replicaId(); // fresh per tab and page load: two tabs never share an id
const channel = new BroadcastChannelTransport('convergent-web-demo');
// ?relay=ws://host:port/room also syncs through a relay (`pnpm --filter @convergent/web-demo relay`),
// so that browsers on different machines (or profiles) meet.
const relayUrl = new URLSearchParams(location.search).get('relay');
const relay = relayUrl ? new WebSocketTransport(relayUrl, { reconnectMs: 500 }) : undefined;
const links: Transport[] = relay ? [channel, relay] : [channel];
const onError = (error: unknown) => console.warn('sync:', error);

const text = new Replica({ id: me, type: RGA, doc: 'text', deltaLog: true, onError });
const Cart = ORMap.of(ORMap.counter); // item → quantity
const cart = new Replica({ id: me, type: Cart, doc: 'cart', deltaLog: true, onError });
const likes = new Replica({ id: me, type: PNCounter, doc: 'likes', onError });
const name = new Replica({ id: me, type: MVRegister, doc: 'name', deltaLog: true, onError });
// Each replica repairs lost messages by itself (gossip rounds, every second or so).
const replicas: Array<Pick<Replica<unknown>, 'connect'>> = [text, cart, likes, name];

// ---- online / offline switch: detaching every replica from the channel is a partition.
let detach: Array<() => void> = [];
function setOnline(online: boolean): void {
  detach.forEach((stop) => stop());
  detach = online ? links.flatMap((link) => replicas.map((r) => r.connect(link))) : [];
  document.body.classList.toggle('offline', !online);
  $('status').textContent = online ? 'online' : 'offline — edits stay here until you reconnect';
}
$<HTMLInputElement>('online').addEventListener('change', (e) => setOnline((e.target as HTMLInputElement).checked));
$('replica-id').textContent = me;
if (relay) {
  const show = (up: boolean) => ($('relay').textContent = `relay ${relayUrl} ${up ? 'connected' : 'unreachable — retrying'}`);
  relay.listen({ message: () => {}, status: show });
  show(relay.connected);
}

// ---- shared text: the textarea's edits become RGA deltas (one diff per input event).
const area = $<HTMLTextAreaElement>('text');
let shown = text.state;
area.addEventListener('input', () => {
  const before = RGA.text(text.state);
  const after = area.value;
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  try {
    if (before.length - start - end > 0) text.update((s, id) => RGA.deleteText(s, id, start, before.length - start - end));
    if (after.length - start - end > 0) text.update((s, id) => RGA.insertText(s, id, start, after.slice(start, after.length - end)));
    $('text-note').textContent = '';
  } catch (error) {
    $('text-note').textContent = `not applied: ${(error as Error).message}`;
  }
  shown = text.state;
  if (area.value !== RGA.text(shown)) area.value = RGA.text(shown);
});
text.subscribe((state) => {
  const value = RGA.text(state);
  if (value === area.value) {
    shown = state;
    return;
  }
  // Keep the caret on the same character: find its element in the old state, then where it is now.
  const focused = document.activeElement === area;
  const [from, to] = [area.selectionStart, area.selectionEnd].map((i) => {
    if (i === 0) return 0;
    const id = RGA.idAt(shown, i - 1);
    const at = RGA.indexOf(state, id);
    return at >= 0 ? at + 1 : Math.min(i, value.length);
  }) as [number, number];
  area.value = value;
  if (focused) area.setSelectionRange(from, to);
  shown = state;
});

// ---- shopping cart: OR-Map of item → causal counter. A remove resets only what this tab had
// seen: an add made concurrently elsewhere survives alone (milk 3, removed here, +1 there: milk 1).
const list = $<HTMLUListElement>('cart');
const addTo = (item: string, by: number) => cart.update((s, id) => Cart.update(s, id, item, (q, r) => ORMap.increment(q, r, by)));
const removeItem = (item: string) => cart.update((s, id) => Cart.remove(s, id, item));
$<HTMLFormElement>('cart-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('item');
  const item = input.value.trim();
  if (item !== '') addTo(item, 1);
  input.value = '';
});
function button(text: string, title: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.title = title;
  b.className = className;
  b.addEventListener('click', onClick);
  return b;
}
function renderCart(state: typeof Cart.bottom): void {
  const quantities = Cart.snapshot(state);
  list.replaceChildren(
    ...Object.keys(quantities).sort().map((item) => {
      const quantity = quantities[item]!;
      const li = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = item;
      const count = document.createElement('output');
      count.textContent = String(quantity);
      // − at quantity 1 removes the item rather than leaving a zero line.
      const less = button('−', `one ${item} less`, 'less', () => (quantity > 1 ? addTo(item, -1) : removeItem(item)));
      li.append(label, less, count, button('+', `one more ${item}`, 'more', () => addTo(item, 1)), button('✕', `remove ${item}`, 'remove', () => removeItem(item)));
      return li;
    }),
  );
}
cart.subscribe(renderCart);

// ---- likes: PN-Counter, full-state sync (it is tiny).
$('like').addEventListener('click', () => likes.update((s, id) => PNCounter.increment(s, id)));
$('unlike').addEventListener('click', () => likes.update((s, id) => PNCounter.decrement(s, id)));
likes.subscribe((state) => ($('likes').textContent = String(PNCounter.value(state))));

// ---- profile name: MV-Register; concurrent writes from two tabs show as siblings.
$<HTMLFormElement>('name-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('name');
  const value = input.value.trim();
  if (value !== '') name.update((s, id) => MVRegister.set(s, id, value));
  input.value = '';
});
function renderName(state: MVRegister.MVRegister): void {
  const values: JsonValue[] = MVRegister.values(state);
  const box = $('names');
  box.replaceChildren();
  if (values.length === 0) {
    box.textContent = '(no name yet)';
    return;
  }
  if (values.length > 1) {
    const note = document.createElement('div');
    note.className = 'conflict';
    note.textContent = `${values.length} concurrent writes — saving a name resolves them:`;
    box.append(note);
  }
  for (const v of values.map(String).sort()) {
    const chip = document.createElement('span');
    chip.className = 'sibling';
    chip.textContent = v;
    box.append(chip);
  }
}
name.subscribe(renderName);
renderName(name.state);
renderCart(cart.state);

setOnline(true);
document.body.dataset.ready = 'true';
