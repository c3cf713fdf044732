// The demo's sync server: `pnpm --filter @convergent/web-demo server [port]` (HOST=0.0.0.0 to let
// other machines in, DATA=<dir> for where documents are kept, default packages/web-demo/.data),
// then open the demo with ?server=ws://<this host>:<port> and log in as alice or bob.
import path from 'node:path';
import { startServer, type Authenticate } from '@convergent/server';
import { documents } from '../src/documents.js';

/** The demo's two users and their passwords. A demo login only: a real app checks a session token. */
const users = new Map([
  ['alice', 'wonderland'],
  ['bob', 'builder'],
]);
const authenticate: Authenticate = ({ query }) => {
  const user = query.get('user') ?? '';
  return users.has(user) && users.get(user) === query.get('password') ? { identity: user, access: 'write' } : { refuse: 'unauthenticated' };
};

const port = Number(process.argv[2] ?? 8787);
const server = await startServer({
  host: process.env.HOST ?? '127.0.0.1',
  port,
  // The server's default store, LevelDB, in this folder.
  directory: process.env.DATA ?? path.join(import.meta.dirname, '..', '.data'),
  documents: (name) => (Object.hasOwn(documents, name) ? documents[name as keyof typeof documents] : undefined),
  authenticate,
  logger: (entry) => entry.level !== 'debug' && entry.level !== 'info' && console.error(JSON.stringify(entry)),
});
// Clients are closed with 1012 (they reconnect), writes flushed, documents compacted, the store closed.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void server.close().then(() => process.exit(0)));
console.log(`server listening on ${server.url} — open the demo with ?server=${server.url.replace(/\/$/, '')} and log in as alice (wonderland) or bob (builder)`);
