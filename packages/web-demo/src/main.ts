// Each tab is one replica of five documents, synced over one BroadcastChannel.
import { replicaId, type JsonValue } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import { defaultKeymap } from '@codemirror/commands';
import { EditorView, keymap, runScopeHandlers } from '@codemirror/view';
import { convergent } from '@convergent/codemirror';
import { Presence } from '@convergent/presence';
import { bind } from '@convergent/textarea';
import { text as textUndo, UndoManager } from '@convergent/undo';
import { openStore, restore, type Restored } from '@convergent/indexeddb';
import { BroadcastChannelTransport, Replica, WebSocketTransport, type Transport } from '@convergent/sync';

function colourOf(id: string): string {
  const palette = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2'];
  let hash = 0;
  for (const c of id) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return palette[hash % palette.length]!;
}
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const me = replicaId(); // fresh per tab and page load: two tabs never share an id, a reload never reuses one
const channel = new BroadcastChannelTransport('convergent-web-demo');
// ?relay=ws://host:port/room also syncs through a relay (`pnpm --filter @convergent/web-demo relay`),
// so that browsers on different machines (or profiles) meet.
const relayUrl = new URLSearchParams(location.search).get('relay');
const relay = relayUrl ? new WebSocketTransport(relayUrl, { reconnectMs: 500 }) : undefined;
const links: Transport[] = relay ? [channel, relay] : [channel];
const onError = (error: unknown) => console.warn('sync:', error);

// Every document lives in IndexedDB: each change is written as it happens, and a reload
// (online or offline) restores them all, under this load's fresh replica id.
const store = await openStore('convergent-web-demo');
const Cart = ORMap.of(ORMap.counter); // item → quantity
// The bar says "saved" once every document's changes are on disk.
const pending = new Map<string, number>();
function saved<S>({ replica, persistence, errors }: Restored<S>): Replica<S> {
  if (errors.length > 0) console.warn('skipped unreadable records', errors);
  const show = (doc: string, n: number) => {
    pending.set(doc, n);
    $('saved').textContent = [...pending.values()].every((k) => k === 0) ? 'saved' : 'saving…';
  };
  replica.subscribe(() => show(replica.doc, 1)); // every change is written; 'durable' says when
  persistence.on('durable', ({ pending: n }) => show(replica.doc, n));
  persistence.on('error', (error) => ($('saved').textContent = `not saved: ${error.message}`));
  return replica;
}
const [text, notes, cart, likes, name] = await Promise.all([
  restore({ store, id: me, type: RGA, doc: 'text', deltaLog: true, onError }).then(saved),
  restore({ store, id: me, type: RGA, doc: 'notes', deltaLog: true, onError }).then(saved),
  restore({ store, id: me, type: Cart, doc: 'cart', deltaLog: true, onError }).then(saved),
  restore({ store, id: me, type: PNCounter, doc: 'likes', onError }).then(saved),
  restore({ store, id: me, type: MVRegister, doc: 'name', deltaLog: true, onError }).then(saved),
]);
// Each replica repairs lost messages by itself (gossip rounds, every second or so).
// Presence of the editor: who is here, and their carets (its messages share the links).
const who = new URLSearchParams(location.search).get('name') ?? `guest ${me.slice(0, 4)}`;
const presence = new Presence({ id: me, doc: 'text', name: who, colour: colourOf(me) });
addEventListener('pagehide', () => presence.close());
const replicas: Array<Pick<Replica<unknown>, 'connect'>> = [text, notes, cart, likes, name, presence];

// ---- online / offline switch: detaching every replica from the channel is a partition.
let detach: Array<() => void> = [];
function setOnline(online: boolean): void {
  detach.forEach((stop) => stop());
  detach = online ? links.flatMap((link) => replicas.map((r) => r.connect(link))) : [];
  document.body.classList.toggle('offline', !online);
  $('status').textContent = online ? 'online' : 'offline — edits stay here until you reconnect';
  $<HTMLInputElement>('online').checked = online;
  // The switch outlives a reload of this tab (and only this tab), so a tab can be reloaded offline.
  if (online) sessionStorage.removeItem('convergent-demo-offline');
  else sessionStorage.setItem('convergent-demo-offline', 'yes');
}
$<HTMLInputElement>('online').addEventListener('change', (e) => setOnline((e.target as HTMLInputElement).checked));
$('replica-id').textContent = me;
$('me').textContent = who;
if (relay) {
  const show = (up: boolean) => ($('relay').textContent = `relay ${relayUrl} ${up ? 'connected' : 'unreachable — retrying'}`);
  relay.listen({ message: () => {}, status: show });
  show(relay.connected);
}

// ---- shared text: a CodeMirror editor and a textarea, each bound by its package. Undo
// (Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z, Ctrl/Cmd+Y, or the buttons) reverses only this tab's edits.
const undoOf = () => new UndoManager({ kind: textUndo({ utf16: true }), replica: me, captureMs: 500 });
const editor = new EditorView({
  doc: RGA.text(text.state),
  extensions: [convergent({ replica: text, presence, undo: undoOf() }), keymap.of(defaultKeymap), EditorView.lineWrapping],
  parent: $('text'),
});
const notesArea = $<HTMLTextAreaElement>('notes');
bind(notesArea, { replica: notes, undo: undoOf() });
// The buttons press the bindings' own keys: the editor's through its keymap, the textarea's on the element.
const mac = /Mac|iP(hone|ad)/.test(navigator.platform);
const keyOf = (kind: 'undo' | 'redo') => new KeyboardEvent('keydown', { key: 'z', shiftKey: kind === 'redo', ctrlKey: !mac, metaKey: mac, bubbles: true, cancelable: true });
for (const kind of ['undo', 'redo'] as const) {
  $(`text-${kind}`).addEventListener('click', () => runScopeHandlers(editor, keyOf(kind), 'editor'));
  $(`notes-${kind}`).addEventListener('click', () => notesArea.dispatchEvent(keyOf(kind)));
}
// For the browser test: the editor's text (its DOM also holds the peers' caret labels).
Object.assign(window, { demo: { editorText: () => editor.state.doc.toString() } });

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

setOnline(sessionStorage.getItem('convergent-demo-offline') === null);
document.body.dataset.ready = 'true';
