// Commands wait in @redis/client's queue until they can be sent: during a burst (Redis
// and the socket set the pace) and while Redis is away. @redis/client would fail a
// command that waited 5 s to be sent, with a message-less TimeoutError; the server
// then lost the appends of a burst of 5,000 edits on a loaded machine.
import { TimeoutError } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sleep, until } from '../../sync/test/support/async.js';
import { RedisFanout, RedisStore } from '../src/index.js';
import { startRedis, type RunningRedis } from './support/redis.js';

// Redis is stopped for longer than @redis/client's own default command timeout (5 s).
vi.setConfig({ testTimeout: 60_000 });
const CLIENT_DEFAULT_TIMEOUT_MS = 5_000;

let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedis({ durable: true });
});
afterAll(async () => {
  await redis.stop();
});

let tests = 0;
const fresh = () => ({ url: redis.url, prefix: `q${++tests}:` });

describe('RedisStore under a burst', () => {
  it('stores every append of a burst over many documents, and loads them all at once', async () => {
    const store = await RedisStore.connect(fresh());
    const docs = Array.from({ length: 300 }, (_, i) => `doc-${i}`);
    const delta = (doc: number, k: number) => new Uint8Array(300).fill(doc % 256).map((v, i) => (i === 0 ? k : v));
    // Ten edits per document, every one started before any is answered.
    const seqs = await Promise.all(docs.flatMap((doc, d) => Array.from({ length: 10 }, (_, k) => store.append(doc, delta(d, k)))));
    expect(seqs.length).toBe(3000);
    const loaded = await Promise.all(docs.map((doc) => store.load(doc)));
    loaded.forEach((stored, d) => {
      expect(stored.deltas.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      // Appended in order of the calls: the k-th append of a document is its k-th delta.
      expect(stored.deltas.map((x) => x.bytes[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(stored.deltas.every((x) => x.bytes[1] === d % 256)).toBe(true);
    });
    await store.close();
  });
});

describe('RedisStore and RedisFanout while Redis is away', () => {
  it('an append and a publication queued while Redis is down wait for it, past the client library’s default timeout', async () => {
    const errors: unknown[] = [];
    const options = { ...fresh(), onError: (error: unknown) => errors.push(error) };
    const store = await RedisStore.connect(options);
    const fanout = await RedisFanout.connect(options);
    expect(await store.append('doc', new Uint8Array([1]))).toBe(1);

    await redis.crash();
    const settled = { appended: false, published: false };
    let appended: Promise<number>;
    let published: Promise<void>;
    try {
      await until(() => errors.length > 0, 'the clients to notice'); // so nothing is in flight on the dead socket
      appended = store.append('doc', new Uint8Array([2]));
      published = fanout.publish('doc', new Uint8Array([2]));
      void appended.finally(() => (settled.appended = true)).catch(() => {});
      void published.finally(() => (settled.published = true)).catch(() => {});
      await sleep(CLIENT_DEFAULT_TIMEOUT_MS + 500);
    } finally {
      redis = await startRedis({ durable: true, after: redis });
    }
    expect(settled).toEqual({ appended: false, published: false }); // still waiting, not failed
    expect(await appended).toBe(2);
    await published; // resolved (pub/sub delivers at most once: who hears it is not the point here)
    expect((await store.load('doc')).deltas.map((d) => [...d.bytes])).toEqual([[1], [2]]);
    await Promise.all([store.close(), fanout.close()]);
  });

  it('with commandTimeoutMs, an operation that cannot be sent in time fails with an error that says so', async () => {
    const errors: unknown[] = [];
    const store = await RedisStore.connect({ ...fresh(), commandTimeoutMs: 50, onError: (error) => errors.push(error) });
    await redis.crash();
    let failure: unknown;
    try {
      await until(() => errors.length > 0, 'the client to notice');
      failure = await store.append('doc', new Uint8Array([1])).then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      redis = await startRedis({ durable: true, after: redis });
    }
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/still waiting to be sent after RedisOptions\.commandTimeoutMs/);
    expect((failure as Error).cause).toBeInstanceOf(TimeoutError);
    await store.close();
  });

  it('refuses a commandTimeoutMs that is not a positive number', async () => {
    for (const commandTimeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(RedisStore.connect({ url: redis.url, commandTimeoutMs })).rejects.toThrow(RangeError);
    }
  });
});
