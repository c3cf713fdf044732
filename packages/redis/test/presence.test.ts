// Presence across server processes: two real server processes on one real Redis; a
// caret set by a client of process A reaches a client of process B through the
// fan-out's presence channel, and nothing of it is stored.
import { createClient } from '@redis/client';
import { asReplicaId } from '@convergent/core';
import { Presence, selectionAt } from '@convergent/presence';
import { expect, it, vi } from 'vitest';
import { startServerProcess, textClient, until, type Child, type TextClient } from './support/processes.js';
import { freePort, startRedis } from './support/redis.js';

vi.setConfig({ testTimeout: 120_000 });

it('a caret from a client on process A reaches a client on process B, and Redis stores none of it', async () => {
  const redis = await startRedis();
  const ports = [await freePort(), await freePort()] as const;
  const servers: Child[] = await Promise.all(ports.map((port) => startServerProcess(port, 'redis', redis.url)));
  const crossed: number[] = [];
  const listener = createClient({ url: redis.url });
  await listener.connect();
  await listener.subscribe('convergent:presence:shared', (message: Buffer) => crossed.push(message.length), true);
  const clients: TextClient[] = [];
  const presences: Presence[] = [];
  try {
    const ada = textClient('shared', () => ports[0], 'ada');
    const bea = textClient('shared', () => ports[1], 'bea');
    clients.push(ada, bea);
    await Promise.all([ada.link.opened, bea.link.opened]);
    ada.type('hello');
    await until(() => bea.text() === 'hello', 'the text on both processes');
    const adaHere = new Presence({ id: asReplicaId('ada'), doc: 'shared', name: 'Ada', colour: '#3b82f6' });
    const beaThere = new Presence({ id: asReplicaId('bea'), doc: 'shared', name: 'Bea', colour: '#ef4444' });
    presences.push(adaHere, beaThere);
    adaHere.connect(ada.link);
    beaThere.connect(bea.link);
    await until(() => beaThere.peers.get(asReplicaId('ada'))?.name === 'Ada', 'Bea (process B) to see Ada (process A)');
    await until(() => adaHere.peers.get(asReplicaId('bea'))?.name === 'Bea', 'Ada to see Bea');
    const caret = selectionAt(ada.replica.state, 3);
    adaHere.select(caret);
    const at = (selection: typeof caret | null | undefined) => JSON.stringify(selection?.head ?? 'none');
    await until(() => at(beaThere.peers.get(asReplicaId('ada'))?.selection) === at(caret), "Ada's caret on process B");
    expect(at(caret)).not.toBe(at(null));
    expect(crossed.length).toBeGreaterThan(0);
    // Never stored: the only keys are the document's deltas and state.
    const keys = await listener.duplicate().connect().then(async (c) => {
      const found = await c.keys('*');
      await c.close();
      return found;
    });
    expect(keys.filter((key) => key.includes('presence'))).toEqual([]);
  } finally {
    for (const p of presences) p.close();
    for (const c of clients) c.close();
    await listener.close();
    await Promise.all(servers.map((s) => s.kill()));
    await redis.stop();
  }
});
