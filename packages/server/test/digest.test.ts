// The digest endpoint: a client holding many documents learns which differ from the
// server's with findDifferences over HTTP, then connects to those only.
import { asReplicaId, replicaId } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import { DigestTree, encodeDigestMessage, encodeMessage, findDifferences, Replica, WebSocketTransport } from '@convergent/sync';
import { WebSocket } from 'ws';
import { describe, expect, test } from 'vitest';
import { MemoryStore, type ServerOptions } from '../src/index.js';
import { cleanupAfterEach, client, server, until } from './support/harness.js';

const cleanup = cleanupAfterEach();
const writer = asReplicaId('writer');
const counter = (n: number) => GCounter.increment(GCounter.bottom, writer, n);

/** A store holding `n` counters `doc-i` with value i + 1, as a server would have stored them. */
async function storeOf(n: number): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (let i = 0; i < n; i++) {
    const doc = `doc-${i}`;
    await store.append(doc, encodeMessage({ kind: 'state', doc, from: writer, to: undefined, ask: false, seq: undefined, deps: undefined, covers: undefined, payload: GCounter.encode(counter(i + 1)) }));
  }
  return store;
}

/** The client's documents: replicas (never connected) and a digest tree over their versions. */
function documents(states: ReadonlyMap<string, GCounter.GCounter>) {
  const tree = new DigestTree();
  const replicas = new Map<string, Replica<GCounter.GCounter>>();
  for (const [doc, initial] of states) {
    const replica = new Replica({ id: replicaId(), type: GCounter, doc, initial, gossipMs: 0 });
    cleanup.push(() => replica.close());
    replicas.set(doc, replica);
    tree.set(doc, replica.version);
  }
  return { tree, replicas };
}

/** `ask` for findDifferences: one POST per request, counted. */
function poster(base: string, query = '') {
  const cost = { requests: 0, bytes: 0 };
  const ask = async (request: Uint8Array) => {
    const response = await fetch(`${base}digest${query}`, { method: 'POST', body: new Uint8Array(request) });
    if (!response.ok) throw new Error(`digest endpoint: HTTP ${response.status}`);
    const answer = new Uint8Array(await response.arrayBuffer());
    cost.requests++;
    cost.bytes += request.length + answer.length;
    return answer;
  };
  return { ask, cost };
}

const options = (store: MemoryStore): Partial<ServerOptions> => ({ documents: (name) => (name.startsWith('doc-') || name === 'mine-only' ? GCounter : undefined), store, digestPath: '/digest' });
const http = (url: string) => url.replace(/^ws/, 'http');

describe('digest endpoint', () => {
  test('a client with 10,000 documents learns exactly the 4 that differ from a server that has never loaded them, in a few requests', async () => {
    const n = 10_000;
    const s = await server(cleanup, options(await storeOf(n)));
    const states = new Map<string, GCounter.GCounter>(Array.from({ length: n }, (_, i) => [`doc-${i}`, counter(i + 1)] as const));
    states.set('doc-5', counter(100)); // the client is ahead
    states.set('doc-17', counter(1)); // behind
    states.delete(`doc-${n - 1}`); // the client lacks one
    states.set('mine-only', counter(1)); // the server lacks one
    const { tree } = documents(states);
    const { ask, cost } = poster(http(s.url));
    const found = await findDifferences(tree, ask);
    expect([...found].sort()).toEqual(['doc-9999', 'doc-17', 'doc-5', 'mine-only'].sort());
    // Rounds: the root, one per level of nodes holding more than 16 names (10,000 / 16 /
    // 16 ≈ 39 at level 2), then the listings: ⌈log₁₆ 10,000⌉ + 1 = 5 at most.
    expect(cost.requests).toBeLessThanOrEqual(Math.ceil(Math.log(n) / Math.log(16)) + 1);
    expect(s.metrics()).toMatch(/convergent_documents_loaded 0/);
  });

  test('a change made through the server shows at once; the client syncs that document only, after which none differ', async () => {
    const s = await server(cleanup, options(await storeOf(50)));
    const states = new Map(Array.from({ length: 50 }, (_, i) => [`doc-${i}`, counter(i + 1)] as const));
    const { tree, replicas } = documents(states);
    const { ask } = poster(http(s.url));
    expect([...(await findDifferences(tree, ask))]).toEqual([]);
    // Another client adds 1 to doc-3 (value 4) on the server.
    const other = client(cleanup, s.url, 'doc-3', '', { type: GCounter, deltaLog: false });
    await until(() => GCounter.value(other.replica.state) === 4, 'doc-3 loaded by the other client');
    other.replica.update((state, id) => GCounter.increment(state, id, 1));
    await until(() => s.metrics().includes('op="append"'), 'the change stored');
    const found = await findDifferences(tree, ask);
    expect([...found]).toEqual(['doc-3']);
    // The client connects the documents that differ, and only those.
    for (const doc of found) {
      const replica = replicas.get(doc)!;
      const link = new WebSocketTransport(`${s.url}${doc}`, { WebSocket });
      cleanup.push(() => link.close());
      replica.connect(link);
      await until(() => GCounter.value(replica.state) === 5, `${doc} synced`);
      tree.set(doc, replica.version);
    }
    expect([...(await findDifferences(tree, ask))]).toEqual([]);
    // Deleted on the server: the client's copy differs.
    await s.deleteDocument('doc-7');
    expect([...(await findDifferences(tree, ask))]).toEqual(['doc-7']);
  });

  test('the authentication hook sees the document "" and can refuse it; bad and oversized bodies are refused', async () => {
    const s = await server(cleanup, {
      ...options(await storeOf(3)),
      authenticate: ({ document, query }) => (document === '' && query.get('token') !== 'all' ? { refuse: 'forbidden' } : { identity: 'u', access: 'read' }),
      limits: { maxMessageBytes: 1024 },
    });
    const root = encodeDigestMessage({ kind: 'digest-request', nodes: [{ level: 0, prefix: 0, hash: 0n }] });
    const post = (body: Uint8Array, query = '?token=all') => fetch(`${http(s.url)}digest${query}`, { method: 'POST', body: new Uint8Array(body) });
    expect((await post(root, '')).status).toBe(403);
    expect((await post(root)).status).toBe(200);
    expect((await post(new Uint8Array([0xd1, 9]))).status).toBe(400);
    expect((await post(new Uint8Array(2048))).status).toBe(413);
    expect((await fetch(`${http(s.url)}digest`)).status).toBe(404);
  });

  test('off unless digestPath is set: a server without it answers 404', async () => {
    const { digestPath: _, ...without } = options(await storeOf(3));
    const s = await server(cleanup, without);
    const root = encodeDigestMessage({ kind: 'digest-request', nodes: [{ level: 0, prefix: 0, hash: 0n }] });
    expect((await fetch(`${http(s.url)}digest`, { method: 'POST', body: new Uint8Array(root) })).status).toBe(404);
  });

  test("an identity scoped to 'team-a/' learns nothing of 'team-b/' documents, and its tree follows changes", async () => {
    const store = new MemoryStore();
    const names = [...Array.from({ length: 40 }, (_, i) => `team-a/${i}`), ...Array.from({ length: 40 }, (_, i) => `team-b/${i}`)];
    for (const doc of names) await store.append(doc, encodeMessage({ kind: 'state', doc, from: writer, to: undefined, ask: false, seq: undefined, deps: undefined, covers: undefined, payload: GCounter.encode(counter(1)) }));
    const s = await server(cleanup, {
      documents: (name) => (name.startsWith('team-') ? GCounter : undefined),
      store,
      digestPath: '/digest',
      authenticate: ({ query }) => ({ identity: query.get('user') ?? 'admin', access: 'write', ...(query.get('user') === 'alice' && { digestScope: 'team-a/' }) }),
    });
    /** `ask` for findDifferences, keeping every answer's bytes. */
    const recording = (query: string) => {
      const answers: Uint8Array[] = [];
      const { ask } = poster(http(s.url), query);
      return { answers, ask: async (request: Uint8Array) => (answers.push(await ask(request)), answers.at(-1)!) };
    };
    const text = (answers: Uint8Array[]) => answers.map((a) => new TextDecoder().decode(a)).join('');

    // Holding nothing, Alice learns every team-a name and no team-b one: no answer even carries one.
    const alice = recording('?user=alice');
    const found = await findDifferences(new DigestTree(), alice.ask);
    expect([...found].sort()).toEqual(names.filter((n) => n.startsWith('team-a/')).sort());
    expect(text(alice.answers)).not.toContain('team-b');
    // An unscoped identity learns both.
    const admin = recording('?user=admin');
    expect((await findDifferences(new DigestTree(), admin.ask)).size).toBe(80);
    expect(text(admin.answers)).toContain('team-b');

    // Alice holds team-a as the server does: nothing differs, whatever happens in team-b.
    const { tree } = documents(new Map(names.filter((n) => n.startsWith('team-a/')).map((n) => [n, counter(1)] as const)));
    expect([...(await findDifferences(tree, alice.ask))]).toEqual([]);
    const edit = async (doc: string) => {
      const other = client(cleanup, s.url, doc, '?user=bob', { type: GCounter, deltaLog: false });
      await until(() => GCounter.value(other.replica.state) === 1, `${doc} loaded`);
      other.replica.update((state, id) => GCounter.increment(state, id, 1));
      await until(() => GCounter.value(other.replica.state) === 2 && s.metrics().includes(`op="append"`), `${doc} changed`);
    };
    await edit('team-b/3');
    await s.deleteDocument('team-b/4');
    alice.answers.length = 0;
    expect([...(await findDifferences(tree, alice.ask))]).toEqual([]);
    expect(text(alice.answers)).not.toContain('team-b');
    // A team-a change shows at once in her scoped tree.
    await edit('team-a/5');
    await until(async () => (await findDifferences(tree, alice.ask)).has('team-a/5'), "the change in Alice's tree");
    expect([...(await findDifferences(tree, alice.ask))]).toEqual(['team-a/5']);
  });
});
