import { describe, expect, it } from 'vitest';
import { cleanupAfterEach, client, server, textOf, typeText, until } from './support/harness.js';

const cleanup = cleanupAfterEach();

describe('a document on the server', () => {
  it('relays changes between clients, stores them and acknowledges them', async () => {
    const s = await server(cleanup);
    const a = client(cleanup, s.url, 'notes', '?user=alice');
    const b = client(cleanup, s.url, 'notes', '?user=bob');
    await Promise.all([a.link.opened, b.link.opened]);
    typeText(a.replica, 'hello');
    await until(() => textOf(b.replica) === 'hello', 'b to see a');
    await until(() => [...a.replica.acknowledged.values()][0] === 1, 'the ack');
    typeText(b.replica, '!');
    await until(() => textOf(a.replica) === 'hello!', 'a to see b');
  });
});
