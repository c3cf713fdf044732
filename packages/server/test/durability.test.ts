// Durable documents: store before ack, restarts, compaction, unload and reload,
// deletion, and several processes on one store and fan-out.
import * as GCounter from '@convergent/g-counter';
import * as RGA from '@convergent/rga';
import type { SyncAdapter } from '@convergent/sync';
import { describe, expect, it } from 'vitest';
import { MemoryFanout, MemoryStore, type DocumentStore, type Fanout } from '../src/index.js';
import { cleanupAfterEach, client, outliving, server, sleep, storedAuthors, textOf, typeText, until } from './support/harness.js';

const cleanup = cleanupAfterEach();

/** A store whose appends wait until the test opens the gate. */
class GatedStore extends MemoryStore {
  started = 0;
  #open!: () => void;
  #gate = new Promise<void>((resolve) => (this.#open = resolve));
  override async append(doc: string, delta: Uint8Array): Promise<number> {
    this.started++;
    await this.#gate;
    return super.append(doc, delta);
  }
  openGate(): void {
    this.#open();
  }
}

describe('acknowledgement after storage', () => {
  it('acknowledges a change only once the store has it', async () => {
    const store = new GatedStore();
    const s = await server(cleanup, { store });
    const a = client(cleanup, s.url, 'notes');
    await a.link.opened;
    typeText(a.replica, 'hello');
    await until(() => store.started === 1, 'the append to start');
    await sleep(200);
    expect(a.replica.acknowledged.size).toBe(0);
    expect((await store.load('notes')).deltas.length).toBe(0);
    store.openGate();
    await until(() => a.replica.acknowledged.size === 1, 'the ack');
    expect([...a.replica.acknowledged.values()]).toEqual([1]);
    expect((await store.load('notes')).deltas.length).toBe(1);
  });

  it('never acknowledges a change the store failed to write', async () => {
    const store = new MemoryStore();
    store.append = async () => {
      throw new Error('disk full');
    };
    const s = await server(cleanup, { store });
    const a = client(cleanup, s.url, 'notes');
    await a.link.opened;
    typeText(a.replica, 'lost?');
    await until(() => s.logs.some((e) => e.event === 'store-error'), 'the store error');
    await sleep(200);
    expect(a.replica.acknowledged.size).toBe(0);
    expect(s.metrics()).toMatch(/convergent_store_errors_total\{op="append"\} [1-9]/);
  });
});

describe('restarts', () => {
  it('serves a document after a restart from the store alone, in one answer', async () => {
    const store = new MemoryStore();
    const s1 = await server(cleanup, { store: outliving(store) });
    const a = client(cleanup, s1.url, 'notes', '', { gossipMs: 0 });
    await a.link.opened;
    typeText(a.replica, 'hello');
    typeText(a.replica, ' world');
    await until(() => [...a.replica.acknowledged.values()][0] === 2, 'both acks');
    await s1.close();
    await until(() => a.closes.some(([code]) => code === 1012), 'the restart close code');
    a.link.close();

    const s2 = await server(cleanup, { store: outliving(store) });
    const b = client(cleanup, s2.url, 'notes', '', { gossipMs: 0 });
    await until(() => textOf(b.replica) === 'hello world', 'b to load the text');
    // One answer from the server's own state, not one per past writer.
    expect(s2.metrics()).toMatch(/convergent_messages_sent_total 1\n/);
  });

  it('answers the first reader after a restart with the stored state as stored (no encode), and later readers with every change since', async () => {
    const store = new MemoryStore();
    const s1 = await server(cleanup, { store: outliving(store) });
    const a = client(cleanup, s1.url, 'notes', '', { gossipMs: 0 });
    await a.link.opened;
    typeText(a.replica, 'hello');
    await until(() => [...a.replica.acknowledged.values()][0] === 1, 'the ack');
    await s1.close(); // compacts: the store holds one state
    a.link.close();
    expect((await store.load('notes')).deltas).toHaveLength(0);

    let encodes = 0;
    const type: SyncAdapter<RGA.RGA> = { ...RGA, encode: (state) => (encodes++, RGA.encode(state)) };
    const s2 = await server(cleanup, { store: outliving(store), documents: () => ({ type, deltaLog: true }) });
    const b = client(cleanup, s2.url, 'notes', '', { gossipMs: 0 });
    await until(() => textOf(b.replica) === 'hello', 'b to load the text');
    expect(encodes).toBe(0);
    typeText(b.replica, ' world');
    await until(() => [...b.replica.acknowledged.values()][0] === 1, "b's ack");
    const c = client(cleanup, s2.url, 'notes', '', { gossipMs: 0 });
    await until(() => textOf(c.replica) === 'hello world', 'c to load the changed text');
  });

  it('takes the changes a client made while the server was down, stores and acknowledges them', async () => {
    const store = new MemoryStore();
    const s1 = await server(cleanup, { store: outliving(store) });
    const a = client(cleanup, s1.url, 'notes');
    await a.link.opened;
    typeText(a.replica, 'before');
    await until(() => a.replica.acknowledged.size === 1, 'the first ack');
    await s1.close();
    typeText(a.replica, ' offline');
    const s2 = await server(cleanup, { store: outliving(store), port: s1.port });
    await until(() => [...a.replica.acknowledged.values()].includes(2), 'the offline change acknowledged');
    const b = client(cleanup, s2.url, 'notes');
    await until(() => textOf(b.replica) === 'before offline', 'b to see both');
  });
});

describe('full-state types', () => {
  it('stores a type without numbered changes too (never acknowledged) and serves it after a restart', async () => {
    const store = new MemoryStore();
    const s1 = await server(cleanup, { store: outliving(store), documents: () => GCounter });
    const a = client<GCounter.GCounter>(cleanup, s1.url, 'likes', '', { type: GCounter, deltaLog: false });
    await a.link.opened;
    a.replica.update((state, id) => GCounter.increment(state, id, 3));
    await until(() => s1.metrics().includes('convergent_store_seconds_count{op="append"} 1'), 'the append');
    expect(a.replica.acknowledged.size).toBe(0);
    await s1.close();
    a.link.close();
    const s2 = await server(cleanup, { store: outliving(store), documents: () => GCounter });
    const b = client<GCounter.GCounter>(cleanup, s2.url, 'likes', '', { type: GCounter, deltaLog: false });
    await until(() => GCounter.value(b.replica.state) === 3, 'b to load the count');
  });
});

describe('compaction, unload and reload', () => {
  it('compacts the stored changes into one state every compactEvery appends', async () => {
    const store = new MemoryStore();
    const s = await server(cleanup, { store: outliving(store), compactEvery: 5 });
    const a = client(cleanup, s.url, 'notes');
    await a.link.opened;
    for (let i = 0; i < 12; i++) typeText(a.replica, String(i % 10));
    await until(() => [...a.replica.acknowledged.values()][0] === 12, 'every ack');
    const stored = await store.load('notes');
    expect(stored.state).toBeDefined();
    expect(stored.deltas.length).toBeLessThan(5); // appends run together, so a compaction may cover more than five
    await s.close();
    const again = await server(cleanup, { store: outliving(store) });
    const b = client(cleanup, again.url, 'notes');
    await until(() => textOf(b.replica) === '012345678901', 'the compacted text');
  });

  it('compacts, in a store shared by several processes, the changes other processes appended too', async () => {
    const store = new MemoryStore();
    // No fan-out: s1 never hears of s2's change, except from the store.
    const s1 = await server(cleanup, { store: outliving(store), compactEvery: 1 });
    const s2 = await server(cleanup, { store: outliving(store), compactEvery: 1000 });
    const b = client(cleanup, s1.url, 'notes', '?user=bob');
    await b.link.opened;
    await until(() => s1.health().documents === 1, 's1 to load the document, empty');
    const a = client(cleanup, s2.url, 'notes', '?user=alice');
    await a.link.opened;
    typeText(a.replica, 'x');
    await until(() => a.replica.acknowledged.size === 1, "s2's append");
    typeText(b.replica, 'y');
    await until(() => b.replica.acknowledged.size === 1, "s1's append");
    await until(async () => (await store.load('notes')).deltas.length === 0, 'the compaction');
    const s3 = await server(cleanup, { store: outliving(store) });
    const c = client(cleanup, s3.url, 'notes');
    await until(() => textOf(c.replica).length === 2, 'both changes, from the compacted state');
  });

  it('unloads a document nobody is connected to, compacted, and reloads it on demand', async () => {
    const store = new MemoryStore();
    const s = await server(cleanup, { store, unloadMs: 100 });
    const a = client(cleanup, s.url, 'notes');
    await a.link.opened;
    typeText(a.replica, 'kept');
    await until(() => a.replica.acknowledged.size === 1, 'the ack');
    a.link.close();
    await until(() => s.health().documents === 0, 'the unload');
    const stored = await store.load('notes');
    expect([stored.state !== undefined, stored.deltas.length]).toEqual([true, 0]);
    const b = client(cleanup, s.url, 'notes');
    await until(() => textOf(b.replica) === 'kept', 'the reload');
    expect(s.health().documents).toBe(1);
  });

  it('keeps a document loaded while someone reconnects within unloadMs', async () => {
    const s = await server(cleanup, { unloadMs: 300 });
    const a = client(cleanup, s.url, 'notes');
    await a.link.opened;
    a.link.close();
    await sleep(100);
    const b = client(cleanup, s.url, 'notes');
    await b.link.opened;
    await sleep(400);
    expect(s.health().documents).toBe(1);
  });
});

describe('deletion', () => {
  it('closes the connections of a deleted document (4404) and removes it from the store', async () => {
    const store = new MemoryStore();
    const s = await server(cleanup, { store });
    // A client that would reconnect (50 ms back-off) and still holds its copy.
    const a = client(cleanup, s.url, 'notes');
    await a.link.opened;
    typeText(a.replica, 'gone');
    await until(() => a.replica.acknowledged.size === 1, 'the ack');
    const ended = new Promise((resolve) => a.link.listen({ message: () => {}, status: (up) => !up && resolve(a.link.ended) }));
    await s.deleteDocument('notes');
    expect(await ended).toEqual({ code: 4404, reason: 'document deleted' });
    expect(a.closes).toEqual([[4404, 'document deleted']]);
    // Many back-off periods later: it never came back, so its copy stayed out.
    await sleep(500);
    expect(a.closes.length).toBe(1);
    expect(a.link.connected).toBe(false);
    expect(s.logs.filter((e) => e.event === 'connected')).toHaveLength(1);
    expect(textOf(a.replica)).toBe('gone');
    expect(await store.load('notes')).toEqual({ state: undefined, deltas: [] });
    const names: string[] = [];
    for await (const name of store.documents()) names.push(name);
    expect(names).toEqual([]);
    const b = client(cleanup, s.url, 'notes');
    await b.link.opened;
    await sleep(200);
    expect(textOf(b.replica)).toBe('');
  });
});

describe('deletion across processes', () => {
  /** Two servers on one store and one fan-out hub; `slow` delays the second's appends (its write lands after the first's delete). */
  async function pair(slowMs = 0) {
    const store = new MemoryStore();
    const hub = new MemoryFanout();
    const announced: string[] = [];
    const counted = (): Fanout => {
      const inner = hub.process();
      return { ...inner, publishDelete: (doc) => (announced.push(doc), inner.publishDelete!(doc)) };
    };
    const slow: DocumentStore = Object.assign(Object.create(outliving(store)) as DocumentStore, {
      append: async (doc: string, delta: Uint8Array) => {
        await sleep(slowMs);
        return store.append(doc, delta);
      },
    });
    const s1 = await server(cleanup, { store: outliving(store), fanout: counted(), unloadMs: 100 });
    const s2 = await server(cleanup, { store: slow, fanout: counted(), unloadMs: 100 });
    const a = client(cleanup, s1.url, 'notes', '?user=alice');
    const b = client(cleanup, s2.url, 'notes', '?user=bob');
    await Promise.all([a.link.opened, b.link.opened]);
    const ended = (c: typeof a) => new Promise((resolve) => c.link.listen({ message: () => {}, status: (up) => !up && resolve(c.link.ended) }));
    return { store, announced, s1, s2, a, b, ended: [ended(a), ended(b)] };
  }

  const names = async (store: DocumentStore) => {
    const found: string[] = [];
    for await (const name of store.documents()) found.push(name);
    return found;
  };

  it('closes the clients of every process (4404), unloads it everywhere and leaves the store empty, announced once', async () => {
    const { store, announced, s1, s2, a, b, ended } = await pair();
    typeText(a.replica, 'a');
    typeText(b.replica, 'b');
    await until(() => textOf(a.replica).length === 2 && textOf(b.replica).length === 2, 'both texts');
    await until(() => a.replica.acknowledged.size === 1 && b.replica.acknowledged.size === 1, 'both acks');
    await s1.deleteDocument('notes');
    expect(await Promise.all(ended)).toEqual([
      { code: 4404, reason: 'document deleted' },
      { code: 4404, reason: 'document deleted' },
    ]);
    await until(() => s2.health().documents === 0, 'the other process to unload it');
    expect(announced).toEqual(['notes']); // the other process never announces it again
    expect(s2.logs.some((e) => e.event === 'deleted-elsewhere' && e.document === 'notes')).toBe(true);
    // Past the unload delay, in which a process still holding it would have compacted it back.
    await sleep(300);
    expect(await store.load('notes')).toEqual({ state: undefined, deltas: [] });
    expect(await names(store)).toEqual([]);
  });

  it('a write of the other process that lands after the deleting process removed the document is removed too', async () => {
    const { store, s1, b, ended } = await pair(150);
    typeText(b.replica, 'late');
    // The delete runs while the other process's append is still on its way to the store.
    await sleep(20);
    await s1.deleteDocument('notes');
    await Promise.all(ended);
    await sleep(400);
    expect(await store.load('notes')).toEqual({ state: undefined, deltas: [] });
    expect(await names(store)).toEqual([]);
  });
});

describe('several processes on one store and fan-out', () => {
  it('converges clients of different processes; each change is stored and published once, never republished', async () => {
    const store: DocumentStore = new MemoryStore();
    const hub = new MemoryFanout();
    let publishes = 0;
    const counted = (): Fanout => {
      const inner = hub.process();
      return { ...inner, publish: (doc, delta) => (publishes++, inner.publish(doc, delta)) };
    };
    const s1 = await server(cleanup, { store: outliving(store), fanout: counted() });
    const s2 = await server(cleanup, { store: outliving(store), fanout: counted() });
    const a = client(cleanup, s1.url, 'notes', '?user=alice', { gossipMs: 0 });
    const b = client(cleanup, s2.url, 'notes', '?user=bob', { gossipMs: 0 });
    await Promise.all([a.link.opened, b.link.opened]);
    await until(() => s1.health().documents === 1 && s2.health().documents === 1, 'both loaded');
    typeText(a.replica, 'a');
    await until(() => textOf(b.replica) === 'a', 'b to see a');
    typeText(b.replica, 'b');
    await until(() => textOf(a.replica) === 'ab', 'a to see b');
    await until(() => a.replica.acknowledged.size === 1 && b.replica.acknowledged.size === 1, 'both acks');
    expect(publishes).toBe(2);
    expect((await storedAuthors(store, 'notes')).sort()).toEqual([a.replica.id, b.replica.id].sort());
  });
});
