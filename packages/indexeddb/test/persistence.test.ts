import { asReplicaId, type ReplicaId } from '@convergent/core';
import * as ORMap from '@convergent/or-map';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import { MemoryNetwork, Replica, ReplicaIdReuseError, type SyncAdapter } from '@convergent/sync';
import { describe, expect, test } from 'vitest';
import { openStore, restore, type DurableStatus } from '../src/index.js';
import { cleanupAfterEach, disposeLater, freshName, rawRecords } from './support.js';

const cleanup = cleanupAfterEach();
const Cart = ORMap.of(ORMap.counter);

async function store(what: string) {
  return disposeLater(cleanup, await openStore(freshName(what)));
}

/** Edits made locally, then a remote peer's edit merged through sync, for each type. */
const cases: Array<{ name: string; type: SyncAdapter<any>; deltaLog: boolean; local: Array<(s: any, id: ReplicaId) => any>; remote: (s: any, id: ReplicaId) => any }> = [
  {
    name: 'RGA text',
    type: RGA,
    deltaLog: true,
    local: [(s, id) => RGA.insertText(s, id, 0, 'hello world'), (s, id) => RGA.deleteText(s, id, 0, 6), (s, id) => RGA.insertText(s, id, 5, '!')],
    remote: (s, id) => RGA.insertText(s, id, 0, 'say: '),
  },
  {
    name: 'OR-Map of counters',
    type: Cart,
    deltaLog: false,
    local: [
      (s, id) => Cart.update(s, id, 'milk', (q, r) => ORMap.increment(q, r, 3)),
      (s, id) => Cart.update(s, id, 'eggs', (q, r) => ORMap.increment(q, r, 12)),
      (s, id) => Cart.remove(s, id, 'eggs'),
    ],
    remote: (s, id) => Cart.update(s, id, 'bread', (q, r) => ORMap.increment(q, r, 1)),
  },
  {
    name: 'PN-Counter',
    type: PNCounter,
    deltaLog: false,
    local: [(s, id) => PNCounter.increment(s, id, 10), (s, id) => PNCounter.decrement(s, id, 4)],
    remote: (s, id) => PNCounter.increment(s, id, 100),
  },
];

describe.each(cases)('restore of $name', ({ type, deltaLog, local, remote }) => {
  test('a reload restores local edits (not sent to anyone) and merged remote deltas, under a fresh id', async () => {
    const db = await store('restore');
    const net = new MemoryNetwork();
    const tab = await restore({ store: db, type, doc: 'doc', deltaLog, gossipMs: 0 });
    const peer = new Replica({ id: asReplicaId('peer'), type, doc: 'doc', deltaLog, gossipMs: 0 });
    tab.replica.connect(net.transport('tab'));
    peer.connect(net.transport('peer'));
    net.flush();
    peer.update(remote);
    net.flush();
    net.setOnline('tab', false);
    for (const edit of local) tab.replica.update(edit);
    await tab.persistence.close();
    tab.replica.close();
    expect(type.equals(tab.replica.state, peer.state)).toBe(false); // the local edits never left

    const again = await restore({ store: db, type, doc: 'doc', deltaLog, gossipMs: 0 });
    expect(again.errors).toEqual([]);
    expect(type.equals(again.replica.state, tab.replica.state)).toBe(true);
    expect(again.replica.id).not.toBe(tab.replica.id);
    // And it syncs on: the peer gets the offline edits from the restored replica.
    again.replica.connect(net.transport('again'));
    net.flush();
    expect(type.equals(peer.state, again.replica.state)).toBe(true);
    await again.persistence.close();
  });
});

describe('durability', () => {
  test('update stays synchronous; whenDurable and the durable event say when it is written', async () => {
    const db = await store('durable');
    const { replica, persistence } = await restore({ store: db, type: PNCounter, doc: 'n', gossipMs: 0 });
    const events: DurableStatus[] = [];
    persistence.on('durable', (status) => events.push(status));
    replica.update((s, id) => PNCounter.increment(s, id));
    expect(PNCounter.value(replica.state)).toBe(1);
    expect(persistence.pending).toBe(1);
    // Written while the first write is in flight: batched into the next transaction.
    replica.update((s, id) => PNCounter.increment(s, id));
    replica.update((s, id) => PNCounter.increment(s, id));
    await persistence.whenDurable();
    expect(persistence.pending).toBe(0);
    expect(events).toEqual([
      { durable: 1, pending: 2 },
      { durable: 3, pending: 0 },
    ]);
    expect((await db.usage('n')).records).toBe(3); // one record per change, in order
    expect(PNCounter.value((await db.load('n', PNCounter)).state)).toBe(3);
  });

  test('whenDurable resolves at once when nothing is pending', async () => {
    const db = await store('idle');
    const { persistence } = await restore({ store: db, type: PNCounter, doc: 'n', gossipMs: 0 });
    await expect(persistence.whenDurable()).resolves.toBeUndefined();
    expect(persistence.pending).toBe(0);
  });

  test('a reload with no edits writes nothing', async () => {
    const db = await store('reloads');
    const first = await restore({ store: db, type: RGA, doc: 't', deltaLog: true, gossipMs: 0 });
    first.replica.update((s, id) => RGA.insertText(s, id, 0, 'abc'));
    await first.persistence.close();
    const before = await rawRecords(db.name);
    for (let i = 0; i < 5; i++) await (await restore({ store: db, type: RGA, doc: 't', deltaLog: true, gossipMs: 0 })).persistence.close();
    expect(await rawRecords(db.name)).toEqual(before);
  });
});

describe('replica ids', () => {
  test('a restored state continued under its old id is refused by the sync package', async () => {
    const db = await store('ids');
    const first = await restore({ store: db, type: PNCounter, doc: 'n', gossipMs: 0 });
    first.replica.update((s, id) => PNCounter.increment(s, id));
    await first.persistence.close();
    await expect(restore({ store: db, type: PNCounter, doc: 'n', id: first.replica.id })).rejects.toBeInstanceOf(ReplicaIdReuseError);
  });

  test('two tabs restoring the same document get different ids', async () => {
    const db = await store('tabs-ids');
    const [a, b] = await Promise.all([restore({ store: db, type: PNCounter, doc: 'n' }), restore({ store: db, type: PNCounter, doc: 'n' })]);
    expect(a.replica.id).not.toBe(b.replica.id);
  });
});

describe('two tabs sharing a database', () => {
  test('both write concurrently through their own connections: no write is lost', async () => {
    const name = freshName('two-tabs');
    const left = disposeLater(cleanup, await openStore(name));
    const right = await openStore(name);
    cleanup.push(() => right.close());
    const a = await restore({ store: left, type: Cart, doc: 'cart', gossipMs: 0 });
    const b = await restore({ store: right, type: Cart, doc: 'cart', gossipMs: 0 });
    for (let i = 0; i < 20; i++) {
      a.replica.update((s, id) => Cart.update(s, id, `a${i % 5}`, (q, r) => ORMap.increment(q, r, 1)));
      b.replica.update((s, id) => Cart.update(s, id, `b${i % 5}`, (q, r) => ORMap.increment(q, r, 2)));
    }
    await Promise.all([a.persistence.close(), b.persistence.close()]);
    const reloaded = await restore({ store: left, type: Cart, doc: 'cart', gossipMs: 0 });
    expect(Cart.equals(reloaded.replica.state, Cart.merge(a.replica.state, b.replica.state))).toBe(true);
    expect(Cart.snapshot(reloaded.replica.state)).toEqual({ a0: 4, a1: 4, a2: 4, a3: 4, a4: 4, b0: 8, b1: 8, b2: 8, b3: 8, b4: 8 });
  });

  test('tabs synced over a channel store each other’s deltas too', async () => {
    const name = freshName('synced-tabs');
    const left = disposeLater(cleanup, await openStore(name));
    const right = await openStore(name);
    cleanup.push(() => right.close());
    const net = new MemoryNetwork();
    const a = await restore({ store: left, type: RGA, doc: 't', deltaLog: true, gossipMs: 0 });
    const b = await restore({ store: right, type: RGA, doc: 't', deltaLog: true, gossipMs: 0 });
    a.replica.connect(net.transport('a'));
    b.replica.connect(net.transport('b'));
    a.replica.update((s, id) => RGA.insertText(s, id, 0, 'left '));
    net.flush();
    b.replica.update((s, id) => RGA.insertText(s, id, RGA.length(s), 'right'));
    net.flush();
    await Promise.all([a.persistence.close(), b.persistence.close()]);
    expect(RGA.text(a.replica.state)).toBe('left right');
    expect(RGA.text((await right.load('t', RGA)).state)).toBe('left right');
  });
});
