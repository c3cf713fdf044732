// Each tab is one replica of five documents, synced over one BroadcastChannel (and a server or relay).
import { replicaId, type JsonValue } from '@convergent/core';
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as PNCounter from '@convergent/pn-counter';
import { Cart, documents } from './documents.js';
import { mountCart, rowRenders } from './cart.js';
import { restoring } from '@convergent/react';
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

/** The demo login, kept in this browser profile until "log out". */
const LOGIN = 'convergent-demo-login';
interface Login {
  readonly user: string;
  readonly password: string;
}
/** The saved login, or the login form; the server's authenticate hook checks it on every connection. */
async function logIn(): Promise<Login> {
  const saved = localStorage.getItem(LOGIN);
  if (saved !== null) return JSON.parse(saved) as Login;
  $('login').hidden = false;
  document.querySelector('main')!.hidden = true;
  document.body.dataset.login = 'true';
  $<HTMLFormElement>('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const login: Login = { user: $<HTMLInputElement>('user').value.trim(), password: $<HTMLInputElement>('password').value };
    localStorage.setItem(LOGIN, JSON.stringify(login));
    location.reload();
  });
  return new Promise<never>(() => {}); // the page stops here: logging in reloads it
}

const params = new URLSearchParams(location.search);
// ?server=ws://host:port syncs every document through @convergent/server (`pnpm --filter
// @convergent/web-demo server`), logged in as one of its demo users; ?relay=ws://host:port/room
// through a plain relay. Either way, tabs of one browser also meet on a BroadcastChannel.
const serverUrl = params.get('server')?.replace(/\/$/, '');
const relayUrl = params.get('relay');
const login = serverUrl === undefined ? undefined : await logIn();

const me = replicaId(); // fresh per tab and page load: two tabs never share an id, a reload never reuses one
// A user's documents and tabs are theirs alone: their own database and channel.
const space = login ? `convergent-web-demo/${login.user}` : 'convergent-web-demo';
const channel = new BroadcastChannelTransport(space);
const relay = relayUrl ? new WebSocketTransport(relayUrl, { reconnectMs: 500 }) : undefined;
// The server takes one connection per document, its name in the path; the credentials go in the query.
const serverLinks = new Map(
  (login ? Object.keys(documents) : []).map((doc) => [
    doc,
    new WebSocketTransport(() => `${serverUrl}/${encodeURIComponent(doc)}?${new URLSearchParams({ user: login?.user ?? '', password: login?.password ?? '' })}`, { reconnectMs: 500 }),
  ]),
);
const linksOf = (doc: string): Transport[] => [channel, ...(relay ? [relay] : []), ...(login ? [serverLinks.get(doc)!] : [])];
const onError = (error: unknown) => console.warn('sync:', error);

// Every document lives in IndexedDB: each change is written as it happens, and a reload
// (online or offline) restores them all, under this load's fresh replica id.
const store = await openStore(space);
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
const options = { store, id: me, onError };
const restoringCart = restore({ ...options, doc: 'cart', ...documents.cart }).then(saved);
// The cart is rendered by React (./cart.ts), from now on: it shows 'restoring…' until IndexedDB is read.
const addTo = (item: string, by: number) => cart.update((s, id) => Cart.update(s, id, item, (q, r) => ORMap.increment(q, r, by)));
const cartShown = mountCart($('cart-root'), restoring(restoringCart, Cart.bottom), {
  add: addTo,
  remove: (item) => cart.update((s, id) => Cart.remove(s, id, item)),
});
const [text, notes, cart, likes, name] = await Promise.all([
  restore({ ...options, doc: 'text', ...documents.text }).then(saved),
  restore({ ...options, doc: 'notes', ...documents.notes }).then(saved),
  restoringCart,
  restore({ ...options, doc: 'likes', ...documents.likes }).then(saved),
  restore({ ...options, doc: 'name', ...documents.name }).then(saved),
]);
// Each replica repairs lost messages by itself (gossip rounds, every second or so).

// Presence of the editor: who is here, and their carets. It shares the text's links: the
// channel, and the relay or the server (which forwards presence to the document's other connections).
const who = login?.user ?? params.get('name') ?? `guest ${me.slice(0, 4)}`;
const presence = new Presence({ id: me, doc: 'text', name: who, colour: colourOf(who) });
addEventListener('pagehide', () => presence.close());
const connections: Array<() => Array<() => void>> = [
  ...[text, notes, cart, likes, name].map((r: Pick<Replica<unknown>, 'connect' | 'doc'>) => () => linksOf(r.doc).map((link) => r.connect(link))),
  () => linksOf('text').map((link) => presence.connect(link)),
];

// ---- online / offline switch: detaching every replica from its links is a partition.
let detach: Array<() => void> = [];
function setOnline(online: boolean): void {
  detach.forEach((stop) => stop());
  detach = online ? connections.flatMap((connect) => connect()) : [];
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
if (login) {
  const links = [...serverLinks.values()];
  const show = () => {
    const up = links.filter((link) => link.connected).length;
    $('relay').textContent = `server ${serverUrl} ${up === links.length ? 'connected' : `connecting (${up}/${links.length}); a wrong login is refused: log out to change it`}`;
  };
  for (const link of links) link.listen({ message: () => {}, status: show });
  show();
  $('logout').hidden = false;
  $('logout').addEventListener('click', () => {
    localStorage.removeItem(LOGIN);
    location.reload();
  });
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
Object.assign(window, { demo: { editorText: () => editor.state.doc.toString(), cartRenders: () => Object.fromEntries(rowRenders) } });

// ---- shopping cart: OR-Map of item → causal counter. A remove resets only what this tab had
// seen: an add made concurrently elsewhere survives alone (milk 3, removed here, +1 there: milk 1).
// The list itself is React (./cart.ts); the form stays plain DOM.
$<HTMLFormElement>('cart-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('item');
  const item = input.value.trim();
  if (item !== '') addTo(item, 1);
  input.value = '';
});

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

setOnline(sessionStorage.getItem('convergent-demo-offline') === null);
await cartShown;
document.body.dataset.ready = 'true';
