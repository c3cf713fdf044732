// kill -9 at random moments, in a loop, for each store: a child process appends and
// compacts as fast as it can; every append it saw acknowledged must be there afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LevelDbStore, type DocumentStore } from '@convergent/server';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { startRedis, type RunningRedis } from './support/redis.js';
import { numbers } from './support/u32.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('./support/store-writer.ts', import.meta.url));
const ROUNDS = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the writer; resolves once it writes, with what it acknowledged so far (growing) and a kill -9. */
async function startWriter(args: string[]): Promise<{ acked: Map<string, number[]>; kill: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@convergent/source', writer, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked = new Map<string, number[]>();
  let pending = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`writer exited with ${code}: ${errors}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? ''; // a line cut by the kill is no acknowledgement
      for (const line of lines) {
        if (line === 'ready') resolve();
        const [doc, n] = line.split(' ');
        if (doc !== undefined && n !== undefined) acked.set(doc, [...(acked.get(doc) ?? []), Number(n)]);
      }
    });
  });
  return {
    acked,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
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
        await sleep(50 + Math.random() * 250);
        await child.kill();
        const store = await LevelDbStore.open(folder);
        const count = await expectAllAcknowledged(store, child.acked);
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
        await sleep(50 + Math.random() * 250);
        if (round % 2 === 1) {
          // Redis itself dies: it must come back from its append-only file with every acknowledged write.
          await redis.crash();
          await child.kill();
          redis = await startRedis({ durable: true, after: redis });
        } else {
          await child.kill();
        }
        const store = await RedisStore.connect({ url: redis.url });
        const count = await expectAllAcknowledged(store, child.acked);
        await store.close();
        expect(count).toBeGreaterThan(0);
      }
    } finally {
      await redis.stop();
    }
  });
});
