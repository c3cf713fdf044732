// What a server restart costs: each reconnecting client gets what it lacks in a bounded
// number of frames, whatever the number of clients.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/index.js';
import { cleanupAfterEach, client, outliving, server, textOf, typeText, until } from './support/harness.js';

const cleanup = cleanupAfterEach();

describe('a restart with many clients', () => {
  it('costs O(N) frames: the reconnecting clients of one document converge with a few frames each', async () => {
    const N = 30;
    const store = new MemoryStore();
    const s1 = await server(cleanup, { store: outliving(store), limits: { maxConnectionsPerAddress: 100 } });
    const clients = Array.from({ length: N }, (_, i) => client(cleanup, s1.url, 'room', `?user=u${i}`, { gossipMs: 1000 }));
    await Promise.all(clients.map((c) => c.link.opened));
    for (const c of clients) typeText(c.replica, 'x');
    await until(() => clients.every((c) => textOf(c.replica).length === N && c.replica.acknowledged.size === 1), 'convergence and acks');
    await s1.close();
    const s2 = await server(cleanup, { store: outliving(store), port: s1.port, limits: { maxConnectionsPerAddress: 100 } });
    await until(() => s2.health().connections === N, 'every client back');
    // Each writes once more after the restart.
    for (const c of clients) typeText(c.replica, 'y');
    await until(() => clients.every((c) => textOf(c.replica).length === 2 * N), 'convergence after the restart', 20_000);
    const sent = Number(/convergent_messages_sent_total (\d+)/.exec(s2.metrics())![1]);
    const received = Number(/convergent_messages_received_total (\d+)/.exec(s2.metrics())![1]);
    console.log(`N=${N}: after the restart the server sent ${sent} frames (${(sent / N).toFixed(1)} per client) and received ${received}`);
    // N new changes forwarded to N - 1 others is N(N - 1) frames by itself: the restart adds O(N).
    expect(sent - N * (N - 1)).toBeLessThan(10 * N);
  });

  it('after every client edited offline, they converge without gossip, in fewer frames than forwarding every answer to every client', async () => {
    const N = 30;
    const store = new MemoryStore();
    const s1 = await server(cleanup, { store: outliving(store), limits: { maxConnectionsPerAddress: 100 } });
    // Gossip off (a round a minute): only the server passes the offline edits on.
    const clients = Array.from({ length: N }, (_, i) => client(cleanup, s1.url, 'room', `?user=u${i}`, { gossipMs: 60_000 }));
    await Promise.all(clients.map((c) => c.link.opened));
    for (const c of clients) typeText(c.replica, 'x');
    await until(() => clients.every((c) => textOf(c.replica).length === N && c.replica.acknowledged.size === 1), 'convergence and acks');
    await s1.close();
    await until(() => clients.every((c) => !c.link.connected), 'every client cut off');
    for (const c of clients) typeText(c.replica, 'y');
    const s2 = await server(cleanup, { store: outliving(store), port: s1.port, limits: { maxConnectionsPerAddress: 100 } });
    await until(() => clients.every((c) => textOf(c.replica).length === 2 * N), 'convergence after the restart', 20_000);
    await until(() => clients.every((c) => Math.max(...c.replica.acknowledged.values()) === 2), 'every offline edit stored');
    const sent = Number(/convergent_messages_sent_total (\d+)/.exec(s2.metrics())![1]);
    const received = Number(/convergent_messages_received_total (\d+)/.exec(s2.metrics())![1]);
    console.log(`N=${N}, offline edits: after the restart the server sent ${sent} frames (${(sent / N).toFixed(1)} per client) and received ${received}`);
    // Forwarding each of the N answers to the N - 1 others would be N(N - 1) frames by itself.
    expect(sent).toBeLessThan(N * (N - 1));
  });
});
