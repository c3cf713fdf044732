// Identity and access: the authenticate hook, read-only grants, the Origin allow-list,
// replica ids bound to identities, expiring and revoked credentials.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as RGA from '@convergent/rga';
import { decodeMessage, MemoryNetwork, WebSocketTransport } from '@convergent/sync';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryStore, type DocumentStore } from '../src/index.js';
import { cleanupAfterEach, client, countingBinds, outliving, server, sleep, textOf, typeText, until, upgradeStatus } from './support/harness.js';

const cleanup = cleanupAfterEach();

describe('the authenticate hook', () => {
  it('grants, or refuses with 401, 403, 500 (it threw) or 503 (too slow), before any WebSocket opens', async () => {
    const s = await server(cleanup, {
      limits: { authTimeoutMs: 200 },
      authenticate: ({ query, cookies, headers }) => {
        const token = query.get('token') ?? cookies.get('session') ?? headers.authorization;
        if (token === 'good' || token === 'Bearer good') return { identity: 'alice', access: 'write' };
        if (token === 'outsider') return { refuse: 'forbidden', reason: 'not in the team' };
        if (token === 'boom') throw new Error('hook bug');
        if (token === 'slow') return new Promise(() => {});
        if (token === 'sloppy') return { identity: '', access: 'admin' } as never; // a JavaScript hook's mistake
        return { refuse: 'unauthenticated' };
      },
    });
    expect(await upgradeStatus(`${s.url}doc?token=good`)).toBe(101);
    expect(await upgradeStatus(`${s.url}doc`, { cookie: 'theme=dark; session=good' })).toBe(101);
    expect(await upgradeStatus(`${s.url}doc`, { authorization: 'Bearer good' })).toBe(101);
    expect(await upgradeStatus(`${s.url}doc?token=bad`)).toBe(401);
    expect(await upgradeStatus(`${s.url}doc?token=outsider`)).toBe(403);
    expect(await upgradeStatus(`${s.url}doc?token=boom`)).toBe(500);
    expect(await upgradeStatus(`${s.url}doc?token=slow`)).toBe(503);
    expect(await upgradeStatus(`${s.url}doc?token=sloppy`)).toBe(500);
    expect(s.metrics()).toMatch(/convergent_refused_total\{reason="unauthenticated"\} 1\n/);
    expect(s.metrics()).toMatch(/convergent_refused_total\{reason="forbidden"\} 1\n/);
    expect(s.logs.some((e) => e.event === 'refused' && e.detail === 'not in the team')).toBe(true);
    expect(s.logs.some((e) => e.event === 'auth-error')).toBe(true);
    await until(() => s.health().connections === 0, 'every connection to be uncounted');
  });

  it('refuses names the documents option does not know (404) and malformed or overlong names (400)', async () => {
    const s = await server(cleanup, { documents: (name) => (name.startsWith('text/') ? { type: RGA, deltaLog: true } : undefined) });
    expect(await upgradeStatus(`${s.url}text%2Fone`)).toBe(101);
    expect(await upgradeStatus(`${s.url}other`)).toBe(404);
    expect(await upgradeStatus(`${s.url}text%2F%E0%A4%A`)).toBe(400);
    expect(await upgradeStatus(`${s.url}text%2F${'x'.repeat(300)}`)).toBe(400);
  });

  it('refuses messages for another document than the one connected to', async () => {
    const s = await server(cleanup);
    const a = client(cleanup, s.url, 'notes', '?user=alice');
    const sneaky = client(cleanup, s.url, 'notes', '?user=mallory');
    // mallory's replica says it is a replica of 'secrets' while connected to 'notes'.
    (sneaky.replica as { doc: string }).doc = 'secrets';
    await Promise.all([a.link.opened, sneaky.link.opened]);
    typeText(sneaky.replica, 'x');
    await until(() => s.metrics().includes('reason="wrong-document"'), 'the refusal');
    expect(textOf(a.replica)).toBe('');
  });
});

describe('read-only access', () => {
  it('lets a reader sync and receive, and refuses its changes', async () => {
    const store = new MemoryStore();
    const s = await server(cleanup, { store });
    const writer = client(cleanup, s.url, 'notes', '?user=alice');
    const reader = client(cleanup, s.url, 'notes', '?user=bob&read=1');
    await Promise.all([writer.link.opened, reader.link.opened]);
    typeText(writer.replica, 'hello');
    await until(() => textOf(reader.replica) === 'hello', 'the reader to receive');
    typeText(reader.replica, ' from bob');
    await until(() => s.metrics().includes('reason="read-only"'), 'the refusal');
    reader.replica.sync(); // it keeps trying: each time refused
    await sleep(300);
    expect(textOf(writer.replica)).toBe('hello');
    expect(reader.replica.acknowledged.size).toBe(0);
    const stored = await store.load('notes');
    expect(stored.deltas.map((d) => decodeMessage(d.bytes).from)).toEqual([writer.replica.id]);
  });
});

describe('the Origin allow-list', () => {
  it('refuses a browser page of another origin, and lets listed origins and non-browser clients in', async () => {
    const s = await server(cleanup, { origins: ['https://app.example.com'] });
    expect(await upgradeStatus(`${s.url}doc`, { origin: 'https://evil.example.com' })).toBe(403);
    expect(await upgradeStatus(`${s.url}doc`, { origin: 'https://app.example.com' })).toBe(101);
    expect(await upgradeStatus(`${s.url}doc`)).toBe(101);
    expect(s.metrics()).toMatch(/reason="origin"\} 1\n/);
  });
});

describe('replica ids bound to identities', () => {
  it('disconnects an identity that uses a replica id another identity used first', async () => {
    const s = await server(cleanup);
    const alice = client(cleanup, s.url, 'notes', '?user=alice', { id: 'alice-laptop' });
    await alice.link.opened;
    typeText(alice.replica, 'mine');
    await until(() => alice.replica.acknowledged.size === 1, 'the ack');
    const mallory = client(cleanup, s.url, 'notes', '?user=mallory', { id: 'alice-laptop' });
    await until(() => mallory.closes.some(([code]) => code === 1008), 'mallory to be cut');
    expect(mallory.closes[0]).toEqual([1008, 'replica id bound to another identity']);
    // Alice herself may use her id on a second connection (a reconnect, a second tab).
    const again = client(cleanup, s.url, 'notes', '?user=alice', { id: 'alice-laptop' });
    await again.link.opened;
    await sleep(200);
    expect(again.closes).toEqual([]);
    expect(textOf(alice.replica)).toBe('mine');
  });
});

describe('replica-id bindings kept in the store', () => {
  it('survive a restart on LevelDB: after it, another identity using the id is still cut (1008), its owner is not', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'convergent-bindings-'));
    cleanup.push(() => rmSync(directory, { recursive: true, force: true }));
    const first = await server(cleanup, { directory });
    const alice = client(cleanup, first.url, 'notes', '?user=alice', { id: 'alice-laptop' });
    typeText(alice.replica, 'mine');
    await until(() => alice.replica.acknowledged.size === 1, 'the ack');
    alice.replica.disconnect(alice.link);
    alice.link.close();
    await first.close();
    const second = await server(cleanup, { directory });
    const mallory = client(cleanup, second.url, 'notes', '?user=mallory', { id: 'alice-laptop' });
    await until(() => mallory.closes.length > 0, 'mallory to be cut');
    expect(mallory.closes[0], JSON.stringify(second.logs.filter((e) => e.level !== 'info' && e.level !== 'debug'))).toEqual([1008, 'replica id bound to another identity']);
    expect(second.metrics()).toMatch(/convergent_refused_total\{reason="identity"\} [1-9]/);
    // Alice's replica comes back, and writes on. Its link retries as quickly as the
    // harness's clients: with the default back-off (1 s, doubling) one failed attempt on
    // a loaded machine could outlast the wait below. Its closes say why, should it fail.
    const aliceCloses: Array<[number, string]> = [];
    const link = new WebSocketTransport(`${second.url}notes?user=alice`, { WebSocket, reconnectMs: 50, maxReconnectMs: 200, onClose: (code, reason) => aliceCloses.push([code, reason]) });
    cleanup.push(() => link.close());
    alice.replica.connect(link);
    typeText(alice.replica, '!');
    const bob = client(cleanup, second.url, 'notes', '?user=bob');
    await until(() => textOf(bob.replica) === 'mine!', "bob to get alice's text").catch((error: Error) => {
      throw new Error(`${error.message}: bob has ${JSON.stringify(textOf(bob.replica))}, alice's link closed ${JSON.stringify(aliceCloses)}, bob's ${JSON.stringify(bob.closes)}; ${JSON.stringify(second.logs.filter((e) => (e.level === 'warn' || e.level === 'error') && e.identity !== 'mallory'))}`);
    });
  });

  it('are checked in the store when the cache holds none of them, and a refused message changes nothing', async () => {
    const store = new MemoryStore();
    const { store: counting, binds } = countingBinds(store);
    const s = await server(cleanup, { store: counting, bindingCache: 0 });
    const alice = client(cleanup, s.url, 'notes', '?user=alice', { id: 'alice-laptop' });
    typeText(alice.replica, 'a');
    await until(() => alice.replica.acknowledged.size === 1, 'the ack');
    // Messages after the first on one connection need no lookup: the connection knows its ids.
    const lookups = binds.length;
    typeText(alice.replica, 'b');
    await until(() => [...alice.replica.acknowledged.values()][0] === 2, 'the second ack');
    expect(binds.length).toBe(lookups);
    const mallory = client(cleanup, s.url, 'notes', '?user=mallory', { id: 'alice-laptop' });
    typeText(mallory.replica, 'x');
    await until(() => mallory.closes.length > 0, 'mallory to be cut');
    expect(mallory.closes[0]).toEqual([1008, 'replica id bound to another identity']);
    await sleep(100);
    expect(textOf(alice.replica)).toBe('ab');
    expect((await store.load('notes')).deltas.map((d) => decodeMessage(d.bytes).from)).toEqual(['alice-laptop', 'alice-laptop']);
  });

  it('close the connection (1011) without accepting its message when the store cannot bind', async () => {
    const store = new MemoryStore();
    const failing: DocumentStore = { ...outliving(store), bind: () => Promise.reject(new Error('store down')) };
    const s = await server(cleanup, { store: failing });
    const a = client(cleanup, s.url, 'notes', '?user=alice');
    typeText(a.replica, 'lost?');
    await until(() => a.closes.length > 0, 'the close');
    expect(a.closes[0]).toEqual([1011, 'document unavailable']);
    expect(s.logs.some((e) => e.event === 'bind-failed')).toBe(true);
    expect((await store.load('notes')).deltas).toEqual([]);
  });
});

describe('messages waiting for the store', () => {
  it('queue in order behind a bind, up to maxQueuedBytes, then close the connection (1013)', async () => {
    const store = new MemoryStore();
    const stalled: DocumentStore = { ...outliving(store), bind: () => new Promise(() => {}) };
    const s = await server(cleanup, { store: stalled, limits: { maxQueuedBytes: 2000 } });
    const a = client(cleanup, s.url, 'notes', '?user=alice');
    await a.link.opened;
    for (let i = 0; i < 100; i++) typeText(a.replica, 'x');
    await until(() => a.closes.length > 0, 'the close');
    expect(a.closes[0]).toEqual([1013, 'too many messages waiting']);
    expect(s.metrics()).toMatch(/convergent_refused_total\{reason="backlog"\} 1\n/);
    expect((await store.load('notes')).deltas).toEqual([]);
  });
});

describe('replicas of one identity', () => {
  it("accepts from one connection the events of its identity's other replica ids (a second tab), and no one else's", async () => {
    const s = await server(cleanup);
    const bob = client(cleanup, s.url, 'notes', '?user=bob');
    const tab2 = client(cleanup, s.url, 'notes', '?user=alice');
    await Promise.all([bob.link.opened, tab2.link.opened]);
    typeText(tab2.replica, 'a');
    await until(() => textOf(bob.replica) === 'a', 'bob to see tab 2');
    tab2.replica.disconnect(tab2.link);
    // Tab 2 writes offline; tab 1 gets it through the tabs' own channel, then syncs with the server.
    typeText(tab2.replica, 'b');
    const tabs = new MemoryNetwork();
    const tab1 = client(cleanup, s.url, 'notes', '?user=alice');
    tab1.replica.connect(tabs.transport('tab1'));
    tab2.replica.connect(tabs.transport('tab2'));
    tabs.flush();
    expect(textOf(tab1.replica)).toBe('ab');
    await until(() => textOf(bob.replica) === 'ab', "bob to see tab 2's offline change, sent by tab 1");
    expect(s.metrics()).not.toContain('reason="rejected"');
    // Mallory, given tab 2's next change, cannot pass it on: her identity does not hold tab 2's id.
    tab1.replica.close();
    typeText(tab2.replica, 'c');
    const mallory = client(cleanup, s.url, 'notes', '?user=mallory');
    mallory.replica.connect(tabs.transport('mallory'));
    tab2.replica.sync(); // tab 2 asks mallory, who asks back and gets everything
    tabs.flush();
    expect(textOf(mallory.replica)).toBe('abc');
    await until(() => s.metrics().includes('reason="rejected"'), 'the refusal');
    await sleep(300);
    expect(textOf(bob.replica)).toBe('ab');
  });
});

describe('credentials that end', () => {
  it('closes a connection when its credentials expire (4401), and refuses expired ones (401)', async () => {
    const s = await server(cleanup, {
      authenticate: ({ query }) => ({ identity: 'alice', access: 'write', expiresAt: Date.now() + Number(query.get('ttl')) }),
    });
    expect(await upgradeStatus(`${s.url}doc?ttl=-1`)).toBe(401);
    const a = client(cleanup, s.url, 'doc', '?ttl=300');
    await a.link.opened;
    await until(() => a.closes.length > 0, 'the expiry');
    expect(a.closes[0]).toEqual([4401, 'token expired']);
    // A fixed URL would present the same token again: the transport stops.
    expect(a.link.ended).toEqual({ code: 4401, reason: 'token expired' });
  });

  it('revoke closes every connection of an identity (4403), and no other', async () => {
    const s = await server(cleanup);
    const bob1 = client(cleanup, s.url, 'a', '?user=bob');
    const bob2 = client(cleanup, s.url, 'b', '?user=bob');
    const alice = client(cleanup, s.url, 'a', '?user=alice');
    await Promise.all([bob1.link.opened, bob2.link.opened, alice.link.opened]);
    await until(() => s.health().connections === 3, 'three connections');
    expect(s.revoke('bob')).toBe(2);
    await until(() => bob1.closes.length > 0 && bob2.closes.length > 0, 'both closed');
    expect(bob1.closes[0]).toEqual([4403, 'revoked']);
    expect(bob1.link.ended).toEqual({ code: 4403, reason: 'revoked' });
    expect(alice.closes).toEqual([]);
  });
});
