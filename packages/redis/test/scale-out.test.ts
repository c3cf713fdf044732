// Two real server processes on one real Redis: clients of one document on different
// processes converge; one process is killed, its clients reconnect to the other, and
// nothing acknowledged is lost. A raw subscriber counts what crosses Redis: each delta
// at most once, and nothing once the clients stop (no loops).
import { createClient } from '@redis/client';
import { expect, it, vi } from 'vitest';
import { startServerProcess, textClient, until, sleep, type Child, type TextClient } from './support/processes.js';
import { freePort, startRedis } from './support/redis.js';

// Real processes, restarted in loops: slow on a loaded machine, never a timing assertion.
vi.setConfig({ testTimeout: 180_000 });

it('clients on two processes converge; a killed process loses nothing acknowledged', async () => {
  const redis = await startRedis({ durable: true });
  const ports = [await freePort(), await freePort()] as const;
  const servers: Child[] = await Promise.all(ports.map((port) => startServerProcess(port, 'redis', redis.url)));
  const published: number[] = [];
  const listener = createClient({ url: redis.url });
  await listener.connect();
  await listener.subscribe('convergent:deltas:shared', (message: Buffer) => published.push(message.length), true);
  const clients: TextClient[] = [];
  try {
    // Client i starts on process i % 2; each later attempt tries the other one.
    for (let i = 0; i < 4; i++) {
      let attempt = i % 2;
      clients.push(textClient('shared', () => ports[attempt++ % 2]!, `client${i}`));
    }
    const typed = [0, 0, 0, 0];
    const markers = () => typed.flatMap((n, i) => Array.from({ length: n }, (_, k) => `<${i}.${k + 1}>`));
    const typeRound = () => clients.forEach((c, i) => c.type(`<${i}.${++typed[i]!}>`));
    const converged = () => {
      const text = clients[0]!.text();
      return clients.every((c) => c.text() === text) && markers().every((m) => text.includes(m));
    };

    // 1. Across processes: every client sees every edit.
    for (let k = 0; k < 20; k++) {
      typeRound();
      await sleep(5);
    }
    await until(converged, 'clients on both processes to converge');

    // 2. Process 0 dies while everyone types; its clients move to process 1.
    const typing = setInterval(typeRound, 5);
    await sleep(100 + Math.random() * 300);
    await servers[0]!.kill();
    await sleep(300);
    clearInterval(typing);
    await until(() => clients.every((c) => c.link.connected), 'every client connected again (to process 1)');
    await until(converged, 'convergence after the failover').catch((error) => {
      console.log(typed, clients.map((c) => [c.text().length, c.acked(), c.link.connected, markers().filter((m) => !c.text().includes(m)).slice(0, 8)]));
      throw error;
    });
    // Everything each client typed is acknowledged (stored in Redis) in the end.
    await until(() => clients.every((c, i) => c.acked() === typed[i]), 'every edit acknowledged');

    // 3. No loops: what crossed Redis is at most one message per edit, and stays put.
    const edits = typed.reduce((a, b) => a + b, 0);
    await sleep(500);
    const crossed = published.length;
    await sleep(1000);
    expect(published.length).toBe(crossed);
    expect(crossed).toBeLessThanOrEqual(edits);
    expect(crossed).toBeGreaterThan(0);

    // 4. A new process 0 loads the document from Redis: a fresh reader there has everything.
    servers[0] = await startServerProcess(ports[0], 'redis', redis.url);
    const reader = textClient('shared', () => ports[0], 'reader');
    clients.push(reader);
    await until(() => reader.text() === clients[0]!.text(), 'the reader on a restarted process');
  } finally {
    for (const c of clients) c.close();
    await listener.close();
    await Promise.all(servers.map((s) => s.kill()));
    await redis.stop();
  }
});

it('two processes compacting one document all the time keep every acknowledged edit in Redis', async () => {
  const redis = await startRedis({ durable: true });
  const ports = [await freePort(), await freePort()] as const;
  // A compaction after every other append, on both processes at once.
  const servers = await Promise.all(ports.map((port) => startServerProcess(port, 'redis', redis.url, { COMPACT_EVERY: '2' })));
  const clients = Array.from({ length: 6 }, (_, i) => textClient('busy', () => ports[i % 2]!, `writer${i}`));
  try {
    const typed = clients.map(() => 0);
    const typing = setInterval(() => clients.forEach((c, i) => c.type(`<${i}.${++typed[i]!}>`)), 3);
    await sleep(1000);
    clearInterval(typing);
    await until(() => clients.every((c, i) => c.acked() === typed[i]), 'every edit acknowledged');
    await Promise.all(servers.map((s) => s.kill()));
    for (const c of clients) c.close();

    servers[0] = await startServerProcess(ports[0], 'redis', redis.url);
    const reader = textClient('busy', () => ports[0], 'reader');
    clients.push(reader);
    const markers = typed.flatMap((n, i) => Array.from({ length: n }, (_, k) => `<${i}.${k + 1}>`));
    const missing = () => markers.filter((m) => !reader.text().includes(m));
    await until(() => missing().length === 0, 'every acknowledged edit, from Redis').catch(() => undefined);
    expect(missing()).toEqual([]);
  } finally {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.kill()));
    await redis.stop();
  }
});
