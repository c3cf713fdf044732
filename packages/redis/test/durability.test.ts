// kill -9 at random moments, in a loop, for each store: a child process appends and
// compacts as fast as it can; every append it saw acknowledged must be there afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelDbStore, type DocumentStore } from '@convergent/server';
import { describe, expect, it, vi } from 'vitest';
import { RedisStore } from '../src/index.js';
import { freePort, startRedis, type RunningRedis } from './support/redis.js';
import { sleep, startChild, startServerProcess, textClient, until } from './support/processes.js';
import { numbers } from './support/u32.js';

// Real processes, restarted in loops: slow on a loaded machine, never a timing assertion.
vi.setConfig({ testTimeout: 180_000 });

const ROUNDS = 6;
const SERVER_ROUNDS = 3;

/** Starts the store writer; `acked()` reads what it acknowledged so far, per document. */
async function startWriter(args: string[]): Promise<{ acked: () => Map<string, number[]>; kill: () => Promise<void> }> {
  const child = await startChild('./store-writer.ts', args, 'ready');
  return {
    kill: child.kill,
    acked: () => {
      const acked = new Map<string, number[]>();
      for (const [doc, n] of child.lines.map((line) => line.split(' '))) {
        if (doc !== undefined && n !== undefined) acked.set(doc, [...(acked.get(doc) ?? []), Number(n)]);
      }
      return acked;
    },
  };
}

/** Every number the store holds for `doc`, in its state or in a delta. */
async function held(store: DocumentStore, doc: string): Promise<Set<number>> {
  const loaded = await store.load(doc);
  return new Set([...numbers(loaded.state ?? new Uint8Array()), ...loaded.deltas.flatMap((d) => numbers(d.bytes))]);
}

async function expectAllAcknowledged(store: DocumentStore, acked: Map<string, number[]>): Promise<number> {
  let count = 0;
  for (const [doc, values] of acked) {
    const present = await held(store, doc);
    expect(values.filter((n) => !present.has(n))).toEqual([]);
    count += values.length;
  }
  return count;
}

describe('kill -9 durability', () => {
  it('LevelDbStore: every acknowledged append survives a kill -9 of its process', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'convergent-kill-'));
    let total = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const child = await startWriter(['leveldb', folder, String(round * 1_000_000)]);
        await until(() => child.acked().size > 0, 'a first acknowledged append');
        await sleep(Math.random() * 250); // then the kill, at a random moment
        await child.kill();
        const store = await LevelDbStore.open(folder);
        const count = await expectAllAcknowledged(store, child.acked());
        await store.close();
        expect(count).toBeGreaterThan(0);
        total += count;
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    expect(total).toBeGreaterThan(ROUNDS);
  });

  it('RedisStore (appendfsync always): every acknowledged append survives a kill -9 of the writer or of Redis', async () => {
    let redis: RunningRedis = await startRedis({ durable: true });
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const child = await startWriter(['redis', redis.url, String(round * 1_000_000)]);
        await until(() => child.acked().size > 0, 'a first acknowledged append');
        await sleep(Math.random() * 250); // then the kill, at a random moment
        if (round % 2 === 1) {
          // Redis itself dies: it must come back from its append-only file with every acknowledged write.
          await redis.crash();
          await child.kill();
          redis = await startRedis({ durable: true, after: redis });
        } else {
          await child.kill();
        }
        const store = await RedisStore.connect({ url: redis.url });
        const count = await expectAllAcknowledged(store, child.acked());
        await store.close();
        expect(count).toBeGreaterThan(0);
      }
    } finally {
      await redis.stop();
    }
  });
});

/**
 * The real server in a child process, three clients typing into one document; the
 * server is killed at a random moment, the clients go with it, a new server starts on
 * the same store, and a fresh reader must see every edit the server had acknowledged.
 */
async function killServerInALoop(kind: 'leveldb' | 'redis', where: string): Promise<number> {
  const port = await freePort();
  const acknowledged: string[] = [];
  let server = await startServerProcess(port, kind, where);
  try {
    for (let round = 0; round < SERVER_ROUNDS; round++) {
      const writers = [0, 1, 2].map((w) => textClient('notes', () => port, `r${round}w${w}`));
      const typed = [0, 0, 0];
      const typing = setInterval(() => writers.forEach((c, w) => c.type(`<${round}.${w}.${++typed[w]!}>`)), 3);
      await until(() => writers.every((c) => c.acked() > 0), 'a first acknowledgement for every writer');
      await sleep(Math.random() * 400); // then the kill, at a random moment
      await server.kill();
      clearInterval(typing);
      const acked = writers.map((c) => c.acked());
      for (const c of writers) c.close();
      acked.forEach((n, w) => acknowledged.push(...Array.from({ length: n }, (_, k) => `<${round}.${w}.${k + 1}>`)));

      server = await startServerProcess(port, kind, where);
      const reader = textClient('notes', () => port, `reader${round}`);
      const missing = () => acknowledged.filter((marker) => !reader.text().includes(marker));
      await until(() => missing().length === 0, 'every acknowledged edit').catch(() => undefined);
      expect(missing()).toEqual([]);
      reader.close();
    }
  } finally {
    await server.kill();
  }
  return acknowledged.length;
}

describe('kill -9 of the real server', () => {
  it('LevelDbStore: a restarted server has every edit it acknowledged before the kill', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'convergent-kill-'));
    try {
      expect(await killServerInALoop('leveldb', folder)).toBeGreaterThan(SERVER_ROUNDS);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('RedisStore: a restarted server has every edit it acknowledged before the kill', async () => {
    const redis = await startRedis({ durable: true });
    try {
      expect(await killServerInALoop('redis', redis.url)).toBeGreaterThan(SERVER_ROUNDS);
    } finally {
      await redis.stop();
    }
  });
});
