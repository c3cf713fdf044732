import { expect, it } from 'vitest';
import { MemoryFanout, MemoryStore, type Fanout } from '../src/index.js';
import { cleanupAfterEach, client, outliving, server, textOf, typeText, until } from './support/harness.js';

const cleanup = cleanupAfterEach();

it("a process compacting before pub/sub brought another process's delta keeps that delta in the store", async () => {
  const shared = new MemoryStore();
  const hub = new MemoryFanout();
  const late: Array<() => void> = [];
  const a = hub.process();
  // Pub/sub towards process A is slow: nothing arrives during the test.
  const slow: Fanout = { publish: (doc, delta) => a.publish(doc, delta), subscribe: (doc, onDelta) => a.subscribe(doc, (delta) => late.push(() => onDelta(delta))), close: () => a.close() };
  const serverA = await server(cleanup, { store: outliving(shared), fanout: slow, compactEvery: 1 });
  const serverB = await server(cleanup, { store: outliving(shared), fanout: hub.process(), compactEvery: 1 });
  const onA = client(cleanup, serverA.url, 'doc', '?user=alice');
  await until(() => serverA.health().documents === 1, 'A to load the (empty) document');
  const onB = client(cleanup, serverB.url, 'doc', '?user=bob');
  typeText(onB.replica, 'x'); // stored by B as seq 1; its publication never reaches A
  await until(() => [...onB.replica.acknowledged.values()][0] === 1, 'B to store x');
  typeText(onA.replica, 'y'); // stored by A as seq 2, then A compacts through 2
  await until(() => [...onA.replica.acknowledged.values()][0] === 1, 'A to store y');
  await serverA.close();
  await serverB.close();
  expect(late.length).toBeGreaterThan(0);

  const serverC = await server(cleanup, { store: outliving(shared) });
  const reader = client(cleanup, serverC.url, 'doc', '?user=carol');
  await until(() => textOf(reader.replica).length === 2, 'both edits from the store').catch(() => undefined);
  expect([...textOf(reader.replica)].sort()).toEqual(['x', 'y']);
});
