// Deleting a document with several server processes on one real Redis: the deleting
// process announces it on the fan-out, so the clients of every process end (4404),
// every process unloads it, and none writes it back into the store, neither right away
// nor when it would have compacted and unloaded it.
import { createClient } from '@redis/client';
import { expect, it, vi } from 'vitest';
import { RedisStore } from '../src/index.js';
import { sleep, startServerProcess, textClient, until, type Child, type TextClient } from './support/processes.js';
import { freePort, startRedis } from './support/redis.js';

vi.setConfig({ testTimeout: 120_000 });

const UNLOAD_MS = 300;

it('deleteDocument on process A ends the clients of A and B (4404) and leaves the store empty', async () => {
  const redis = await startRedis();
  const ports = [await freePort(), await freePort()] as const;
  const servers: Child[] = await Promise.all(ports.map((port) => startServerProcess(port, 'redis', redis.url, { UNLOAD_MS: String(UNLOAD_MS) })));
  const announced: string[] = [];
  const listener = createClient({ url: redis.url });
  await listener.connect();
  await listener.subscribe('convergent:deletes', (message: Buffer) => announced.push(message.subarray(16).toString()), true);
  const store = await RedisStore.connect({ url: redis.url });
  const clients: TextClient[] = [];
  const stored = async () => {
    const names: string[] = [];
    for await (const name of store.documents()) names.push(name);
    return { names, doc: await store.load('shared') };
  };
  try {
    const ada = textClient('shared', () => ports[0], 'ada');
    const bea = textClient('shared', () => ports[1], 'bea');
    clients.push(ada, bea);
    await Promise.all([ada.link.opened, bea.link.opened]);
    ada.type('from A');
    bea.type('from B');
    await until(() => ada.text().length === 12 && bea.text() === ada.text(), 'the text on both processes');
    await until(() => ada.acked() === 1 && bea.acked() === 1, 'both edits stored');
    expect((await stored()).names).toEqual(['shared']);
    // Both clients would reconnect on any other close code.
    const ended = clients.map((c) => new Promise((resolve) => c.link.listen({ message: () => {}, status: (up) => !up && c.link.ended && resolve(c.link.ended) })));
    // B types on while A deletes: B's write may reach the store after A's delete.
    bea.type('!');
    servers[0]!.send('delete shared');
    expect(await Promise.all(ended)).toEqual([
      { code: 4404, reason: 'document deleted' },
      { code: 4404, reason: 'document deleted' },
    ]);
    await until(() => servers[0]!.lines.includes('deleted shared'), 'the delete on process A');
    expect(announced).toEqual(['shared']); // once, by A: B never announces it again
    // Neither process holds it any more.
    const loaded = (port: number) => fetch(`http://127.0.0.1:${port}/health`).then(async (r) => ((await r.json()) as { documents: number }).documents);
    await until(async () => (await loaded(ports[1])) === 0, 'process B to unload it');
    expect(await loaded(ports[0])).toBe(0);
    // B deletes it too once its own writes are done (its last append may land after A's delete).
    await until(async () => (await stored()).names.length === 0, 'an empty store');
    // A grace period in which B, had it kept the document, would have compacted and unloaded it.
    await sleep(UNLOAD_MS * 4);
    expect(await stored()).toEqual({ names: [], doc: { state: undefined, deltas: [] } });
    expect(announced).toEqual(['shared']);
    expect(clients.every((c) => !c.link.connected)).toBe(true);
  } finally {
    for (const c of clients) c.close();
    await store.close();
    await listener.close();
    await Promise.all(servers.map((s) => s.kill()));
    await redis.stop();
  }
});
