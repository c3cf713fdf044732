// Replica ids bound to identities in Redis: two server processes sharing one Redis agree
// on each id's owner, and the bindings outlive the processes.
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { Replica, WebSocketTransport } from '@convergent/sync';
import { expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startServerProcess, until, sleep, type Child } from './support/processes.js';
import { freePort, startRedis } from './support/redis.js';

vi.setConfig({ testTimeout: 120_000 });

/** A text client of `notes` on `port` as `user` under replica id `id`, recording its close codes; it types its user's name unless `quiet`. */
function writer(port: number, user: string, id: string, quiet = false) {
  const closes: number[] = [];
  const link = new WebSocketTransport(`ws://127.0.0.1:${port}/notes?user=${user}`, { WebSocket, reconnectMs: 50, maxReconnectMs: 200, onClose: (code) => closes.push(code) });
  const replica = new Replica<RGA.RGA>({ id: asReplicaId(id), type: RGA, doc: 'notes', deltaLog: true, gossipMs: 100 });
  replica.connect(link);
  if (!quiet) replica.update((s, at) => RGA.insertText(s, at, RGA.length(s), user));
  return {
    replica,
    closes,
    close: () => {
      replica.close();
      link.close();
    },
  };
}

it('two processes on one Redis give a replica id to one identity, also after both are killed', async () => {
  const redis = await startRedis({ durable: true });
  const ports = [await freePort(), await freePort()] as const;
  let servers: Child[] = [];
  const clients: Array<ReturnType<typeof writer>> = [];
  try {
    servers = await Promise.all(ports.map((port) => startServerProcess(port, 'redis', redis.url)));
    // Alice binds her id through process 0; mallory, on process 1, is cut.
    const alice = writer(ports[0], 'alice', 'alice-laptop');
    clients.push(alice);
    await until(() => alice.replica.acknowledged.size > 0, "alice's ack");
    const mallory = writer(ports[1], 'mallory', 'alice-laptop');
    clients.push(mallory);
    await until(() => mallory.closes.includes(1008), 'mallory to be cut by the other process');

    // Two identities claim one fresh id at once, one on each process: one keeps it.
    const rivals = [writer(ports[0], 'bob', 'contested'), writer(ports[1], 'carol', 'contested')];
    clients.push(...rivals);
    await until(() => rivals.some((r) => r.closes.includes(1008)), 'one rival to be cut');
    await sleep(500);
    const kept = rivals.filter((r) => !r.closes.includes(1008));
    expect(kept).toHaveLength(1);
    await until(() => kept[0]!.replica.acknowledged.size > 0, "the winner's ack");

    // Both processes die (kill -9); a new one still knows alice's id is hers.
    for (const c of clients.splice(0)) c.close();
    await Promise.all(servers.map((s) => s.kill()));
    servers = [await startServerProcess(ports[0], 'redis', redis.url)];
    const again = writer(ports[0], 'mallory', 'alice-laptop');
    clients.push(again);
    await until(() => again.closes.includes(1008), 'mallory to be cut after the restart');
    const back = writer(ports[0], 'alice', 'alice-laptop', true);
    clients.push(back);
    await sleep(300);
    expect(back.closes).toEqual([]);
  } finally {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.kill()));
    await redis.stop();
  }
});
