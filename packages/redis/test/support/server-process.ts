// The real server in a child process, for the kill -9 and scale-out tests:
//   server-process.ts <port> leveldb <folder>
//   server-process.ts <port> redis <url>      (RedisStore and RedisFanout)
// Text documents (RGA with a delta log) under every name, anyone may write (as the
// identity of query parameter `user`, if given); it
// compacts every few appends so kills also land inside compactions. Prints
// `listening <port>` once it accepts connections; logs errors on stderr (every entry
// with LOG_ALL=1, which the parent then echoes). Unloads idle documents after UNLOAD_MS
// (default the server's). A line `delete <name>` on stdin deletes the document, then
// prints `deleted <name>`.
import { createInterface } from 'node:readline';
import * as RGA from '@convergent/rga';
import { allowAnyone, LevelDbStore, startServer, type DocumentStore, type Fanout } from '@convergent/server';
import { RedisFanout, RedisStore } from '../../src/index.js';

const [port, kind, where] = process.argv.slice(2);
if (port === undefined || where === undefined) throw new Error('usage: server-process.ts <port> leveldb|redis <folder|url>');

let store: DocumentStore;
let fanout: Fanout | undefined;
if (kind === 'leveldb') store = await LevelDbStore.open(where);
else [store, fanout] = await Promise.all([RedisStore.connect({ url: where }), RedisFanout.connect({ url: where })]);

const server = await startServer({
  port: Number(port),
  documents: () => ({ type: RGA, deltaLog: true }),
  authenticate: (request) => {
    const user = request.query.get('user');
    return user ? { identity: user, access: 'write' } : allowAnyone(request);
  },
  store,
  ...(fanout ? { fanout } : {}),
  compactEvery: Number(process.env.COMPACT_EVERY ?? 8),
  ...(process.env.UNLOAD_MS ? { unloadMs: Number(process.env.UNLOAD_MS) } : {}),
  limits: { maxConnectionsPerAddress: 10_000 },
  logger: (entry) => {
    if (entry.level === 'error' || process.env.LOG_ALL) process.stderr.write(`${JSON.stringify(entry)}\n`);
  },
});
process.stdout.write(`listening ${server.port}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const [verb, name] = line.split(' ');
  if (verb === 'delete' && name !== undefined) void server.deleteDocument(name).then(() => process.stdout.write(`deleted ${name}\n`));
});
