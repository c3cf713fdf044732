// A child process for the kill -9 tests of the stores: appends numbered deltas to a few
// documents as fast as the store acknowledges them, prints `<doc> <n>` once each append
// resolved (that line is the acknowledgement), and now and then compacts a document the
// way a server does (load, merge everything loaded, compact through the last seq loaded).
// Run as: store-writer.ts leveldb <folder> <first n> | redis <url> <first n>
import type { DocumentStore } from '@convergent/server';
import { LevelDbStore } from '@convergent/server';
import { RedisStore } from '../../src/index.js';
import { encode, numbers } from './u32.js';

const [kind, where, first] = process.argv.slice(2);
if (where === undefined || first === undefined) throw new Error('usage: store-writer.ts leveldb|redis <folder|url> <first n>');

const store: DocumentStore = kind === 'leveldb' ? await LevelDbStore.open(where) : await RedisStore.connect({ url: where });

let next = Number(first);
async function writer(doc: string): Promise<never> {
  for (;;) {
    const n = next++;
    await store.append(doc, encode([n]));
    process.stdout.write(`${doc} ${n}\n`);
    if (n % 16 === 0) {
      const loaded = await store.load(doc);
      const all = new Set([...numbers(loaded.state ?? new Uint8Array()), ...loaded.deltas.flatMap((d) => numbers(d.bytes))]);
      const through = loaded.deltas.at(-1)?.seq ?? 0;
      await store.compact(doc, encode([...all]), through);
    }
  }
}

process.stdout.write('ready\n');
await Promise.all(['a', 'b', 'c'].map(writer));
