import { StoreClosedError } from '@convergent/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from './support/redis.js';
import { storeContract } from '../../server/test/support/store-contract.js';
import { until } from '../../sync/test/support/async.js';
import { RedisFanout, RedisStore } from '../src/index.js';

let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

let tests = 0;
// Each test gets its own key prefix on the one Redis of this file.
const fresh = () => ({ url: redis.url, prefix: `t${++tests}:` });
const bytes = (...values: number[]) => new Uint8Array(values);

storeContract('RedisStore', async () => RedisStore.connect(fresh()));

describe('RedisStore across processes', () => {
  it('two clients compacting one document at once keep the newest state and lose no delta', async () => {
    const options = fresh();
    const [a, b] = await Promise.all([RedisStore.connect(options), RedisStore.connect(options)]);
    for (let round = 0; round < 20; round++) {
      const seq = await a.append('doc', bytes(round));
      await b.append('doc', bytes(100 + round));
      // Both compact concurrently, each through the point it knows of.
      await Promise.all([a.compact('doc', bytes(round), seq), b.compact('doc', bytes(round, 1), seq + 1)]);
    }
    const loaded = await a.load('doc');
    expect([...(loaded.state ?? [])]).toEqual([19, 1]);
    expect(loaded.deltas).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('two clients binding the same replica ids at once agree on one owner for each', async () => {
    const options = fresh();
    const [a, b] = await Promise.all([RedisStore.connect(options), RedisStore.connect(options)]);
    const ids = Array.from({ length: 50 }, (_, i) => `id-${i}`);
    const [byA, byB] = await Promise.all([Promise.all(ids.map((id) => a.bind(id, 'alice'))), Promise.all(ids.map((id) => b.bind(id, 'mallory')))]);
    expect(byA).toEqual(byB);
    for (const owner of byA) expect(['alice', 'mallory']).toContain(owner);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('RedisFanout', () => {
  it('delivers each published delta once to every other process, never to its sender', async () => {
    const options = fresh();
    const [a, b, c] = await Promise.all([RedisFanout.connect(options), RedisFanout.connect(options), RedisFanout.connect(options)]);
    const heard: string[] = [];
    await a.subscribe('doc', (d) => heard.push(`a${d[0]}`));
    const stopB = await b.subscribe('doc', (d) => heard.push(`b${d[0]}`));
    await c.subscribe('doc', (d) => heard.push(`c${d[0]}`));
    await c.subscribe('other', (d) => heard.push(`c-other${d[0]}`));
    await a.publish('doc', bytes(1));
    await until(() => heard.length >= 2, 'two deliveries');
    await b.publish('other', bytes(2));
    await until(() => heard.length >= 3, 'the other document');
    expect(heard.sort()).toEqual(['b1', 'c-other2', 'c1']);
    heard.length = 0;
    await stopB();
    await c.close();
    await a.publish('doc', bytes(3));
    await b.publish('doc', bytes(4));
    await until(() => heard.length >= 1, 'a hears b');
    await a.publish('doc', bytes(5));
    await b.publish('doc', bytes(6));
    await until(() => heard.length >= 2, 'a hears b again');
    // a never heard its own 3 and 5; b and c, unsubscribed and closed, heard nothing.
    expect(heard).toEqual(['a4', 'a6']);
    await expect(c.publish('doc', bytes(7))).rejects.toBeInstanceOf(StoreClosedError);
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps documents apart, and prefixes apart', async () => {
    const options = fresh();
    const other = fresh();
    const [a, b, stranger] = await Promise.all([RedisFanout.connect(options), RedisFanout.connect(options), RedisFanout.connect(other)]);
    const heard: string[] = [];
    await b.subscribe('x', (d) => heard.push(`x${d[0]}`));
    await b.subscribe('y', (d) => heard.push(`y${d[0]}`));
    await stranger.publish('x', bytes(9));
    await a.publish('y', bytes(1));
    await a.publish('x', bytes(2));
    await until(() => heard.length >= 2, 'two deliveries');
    expect(heard).toEqual(['y1', 'x2']);
    await Promise.all([a.close(), b.close(), stranger.close()]);
  });

  it('delivers a deletion to every other process of its prefix, never to its sender, apart from the deltas', async () => {
    const options = fresh();
    const [a, b, stranger] = await Promise.all([RedisFanout.connect(options), RedisFanout.connect(options), RedisFanout.connect(fresh())]);
    const heard: string[] = [];
    await a.subscribeDeletes((doc) => heard.push(`a:${doc}`));
    await b.subscribeDeletes((doc) => heard.push(`b:${doc}`));
    await b.subscribe('deletes', (d) => heard.push(`b-delta${d[0]}`)); // a document named "deletes" is another channel
    await stranger.publishDelete('x');
    await a.publishDelete('notes/été 1');
    await a.publish('deletes', bytes(3));
    await until(() => heard.length >= 2, 'two deliveries');
    expect(heard).toEqual(['b:notes/été 1', 'b-delta3']);
    await Promise.all([a.close(), b.close(), stranger.close()]);
  });
});
