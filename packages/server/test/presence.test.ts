// Presence (`@convergent/presence`) through the server: forwarded to the document's other
// connections, never stored, with the checks a hostile peer needs.
import { asReplicaId } from '@convergent/core';
import { decodePresence, encodePresence, Presence, type PresenceMessage } from '@convergent/presence';
import { decodeFrame, encodeDataFrame } from '@convergent/sync';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryFanout, MemoryStore, type Fanout } from '../src/index.js';
import { cleanupAfterEach, client, outliving, server, sleep, typeText, until } from './support/harness.js';

const cleanup = cleanupAfterEach();

/** A presence on `link` for document `doc`, closed after the test. */
function presence(id: string, doc: string, name: string, link: Parameters<Presence['connect']>[0]): Presence {
  const p = new Presence({ id: asReplicaId(id), doc, name, colour: '#3b82f6' });
  p.connect(link);
  cleanup.push(() => p.close());
  return p;
}

/** A bare socket that sends whatever a test makes it send. */
async function raw(url: string): Promise<{ ws: WebSocket; closed: Promise<[number, string]>; send(payload: Uint8Array): void }> {
  const ws = new WebSocket(url);
  cleanup.push(() => ws.terminate());
  const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, closed, send: (payload) => ws.send(encodeDataFrame(payload)) };
}

const update = (from: string, doc: string, name: string): PresenceMessage => ({
  kind: 'state',
  doc,
  from: asReplicaId(from),
  seq: 1,
  to: undefined,
  ask: false,
  state: { name, colour: '#ff0000', selection: null, fields: {} },
});

const refused = (metrics: string, reason: string) => Number(new RegExp(`convergent_refused_total\\{reason="${reason}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);

describe('presence through the server', () => {
  it("reaches the document's other connections, read-only ones included, and no other document", async () => {
    const s = await server(cleanup);
    const a = client(cleanup, s.url, 'notes', '?user=alice', { id: 'ada' });
    const b = client(cleanup, s.url, 'notes', '?user=bob&read=1', { id: 'bea' });
    const c = client(cleanup, s.url, 'other', '?user=carol', { id: 'cid' });
    const ada = presence('ada', 'notes', 'Ada', a.link);
    const bea = presence('bea', 'notes', 'Bea', b.link);
    const cid = presence('cid', 'other', 'Cid', c.link);
    await until(() => bea.peers.get(asReplicaId('ada'))?.name === 'Ada', 'Bea to see Ada');
    await until(() => ada.peers.get(asReplicaId('bea'))?.name === 'Bea', 'Ada to see Bea, who may only read');
    ada.set({ name: 'Ada L.' });
    await until(() => bea.peers.get(asReplicaId('ada'))?.name === 'Ada L.', 'the change');
    expect(cid.peers.size).toBe(0);
    expect(s.metrics()).toMatch(/convergent_presence_forwarded_total [1-9]/);
    ada.close();
    await until(() => !bea.peers.has(asReplicaId('ada')), 'the leave');
  });

  it("closes a connection that sends presence under a replica id bound to another identity", async () => {
    const s = await server(cleanup);
    const a = client(cleanup, s.url, 'notes', '?user=alice', { id: 'ada' });
    typeText(a.replica, 'x');
    await until(() => a.replica.acknowledged.size === 1, "ada bound to alice (the server stored alice's change)");
    const b = client(cleanup, s.url, 'notes', '?user=bob', { id: 'bea' });
    const bea = presence('bea', 'notes', 'Bea', b.link);
    const mallory = await raw(`${s.url}notes?user=mallory`);
    mallory.send(encodePresence(update('ada', 'notes', 'Ada (not really)')));
    expect(await mallory.closed).toEqual([1008, 'replica id bound to another identity']);
    await sleep(100);
    expect(bea.peers.has(asReplicaId('ada'))).toBe(false);
  });

  it('drops malformed presence, other companion protocols and presence of another document, and counts them', async () => {
    const s = await server(cleanup);
    const b = client(cleanup, s.url, 'notes', '?user=bob', { id: 'bea' });
    const bea = presence('bea', 'notes', 'Bea', b.link);
    const heard: Uint8Array[] = [];
    b.link.listen({ message: (bytes) => heard.push(bytes), status: () => {} });
    const m = await raw(`${s.url}notes?user=mallory`);
    m.send(Uint8Array.of(0xe1, 1, 9)); // an unknown kind
    m.send(Uint8Array.of(0xe1, 7)); // another format version
    m.send(Uint8Array.of(0xe5, 0, 1, 2)); // a companion protocol the server does not carry
    m.send(encodePresence({ ...update('m1', 'notes', 'x'.repeat(300)) })); // a name past the limit
    m.send(encodePresence(update('m1', 'elsewhere', 'Mal'))); // another document
    await until(() => refused(s.metrics(), 'bad-presence') === 4 && refused(s.metrics(), 'wrong-document') === 1, 'the refusals');
    m.send(encodePresence(update('m1', 'notes', 'Mal')));
    await until(() => bea.peers.get(asReplicaId('m1'))?.name === 'Mal', 'the one good message');
    expect(heard.filter((bytes) => bytes[0]! >= 0xe0 && bytes[0]! <= 0xef)).toHaveLength(1);
    expect(m.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('counts presence in the rate limits of every message', async () => {
    const s = await server(cleanup, { limits: { messagesPerSecond: 5 } });
    const m = await raw(`${s.url}notes?user=mallory`);
    for (let seq = 1; seq <= 30; seq++) m.send(encodePresence({ ...update('m1', 'notes', 'Mal'), seq }));
    expect(await m.closed).toEqual([1008, 'rate']);
  });

  it('crosses the fan-out to the clients of another process, which never publishes it again', async () => {
    const hub = new MemoryFanout();
    const store = new MemoryStore();
    /** Who sent each presence frame process two published. */
    const publishedByTwo: string[] = [];
    const fanoutTwo = hub.process();
    const watched: Fanout = {
      ...fanoutTwo,
      publishPresence: async (doc, frame) => {
        const f = decodeFrame(frame);
        if (f.kind === 'data') publishedByTwo.push(decodePresence(f.payload).from);
        await fanoutTwo.publishPresence?.(doc, frame);
      },
    };
    const one = await server(cleanup, { store: outliving(store), fanout: hub.process() });
    const two = await server(cleanup, { store: outliving(store), fanout: watched });
    const a = client(cleanup, one.url, 'notes', '?user=alice', { id: 'ada' });
    const b = client(cleanup, two.url, 'notes', '?user=bob', { id: 'bea' });
    const ada = presence('ada', 'notes', 'Ada', a.link);
    const bea = presence('bea', 'notes', 'Bea', b.link);
    await until(() => bea.peers.get(asReplicaId('ada'))?.name === 'Ada', 'Bea (process two) to see Ada (process one)');
    await until(() => ada.peers.get(asReplicaId('bea'))?.name === 'Bea', 'Ada to see Bea');
    ada.set({ name: 'Ada L.' });
    await until(() => bea.peers.get(asReplicaId('ada'))?.name === 'Ada L.', 'the change, across processes');
    expect(publishedByTwo.length).toBeGreaterThan(0);
    expect(new Set(publishedByTwo)).toEqual(new Set(['bea']));
    expect(await store.load('notes')).toEqual({ state: undefined, deltas: [] });
  });
});
