// Servers, clients and waiting, for tests that run real sockets.
import { asReplicaId, DecodeError } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { decodeMessage, Replica, WebSocketTransport, type SyncAdapter } from '@convergent/sync';
import { WebSocket } from 'ws';
import { MemoryStore, startServer, type ConvergentServer, type DocumentStore, type LogEntry, type ServerOptions } from '../../src/index.js';

export { cleanupAfterEach, sleep, until } from '../../../sync/test/support/async.js';

/** Text documents (RGA with a delta log, so acks work) for every name. */
export const TEXT = { type: RGA, deltaLog: true } as const;

/** A server whose log lands in `logs`, closed after the test; its store a `MemoryStore` unless `directory` asks for the default one. */
export async function server(cleanup: Array<() => unknown>, options: Partial<ServerOptions> = {}): Promise<ConvergentServer & { logs: LogEntry[] }> {
  const logs: LogEntry[] = [];
  const started = await startServer({ documents: () => TEXT, authenticate: ({ query }) => ({ identity: query.get('user') ?? 'anonymous', access: query.get('read') ? 'read' : 'write' }), ...(options.directory === undefined && { store: new MemoryStore() }), logger: (e) => logs.push(e), ...options });
  cleanup.push(() => started.close());
  return Object.assign(started, { logs });
}

export interface Client<S> {
  readonly replica: Replica<S>;
  readonly link: WebSocketTransport;
  readonly closes: Array<[number, string]>;
}

/** A client replica of `doc` connected to `url` (which carries the query), closed after the test. */
export function client<S = RGA.RGA>(cleanup: Array<() => unknown>, base: string, doc: string, query = '', options: { id?: string; type?: SyncAdapter<S>; deltaLog?: boolean; gossipMs?: number; reconnectMs?: number } = {}): Client<S> {
  const closes: Array<[number, string]> = [];
  const link = new WebSocketTransport(`${base}${encodeURIComponent(doc)}${query}`, { WebSocket, reconnectMs: options.reconnectMs ?? 50, maxReconnectMs: 200, onClose: (code, reason) => closes.push([code, reason]) });
  const type = (options.type ?? RGA) as SyncAdapter<S>;
  const replica = new Replica<S>({ id: asReplicaId(options.id ?? `c${Math.random().toString(36).slice(2, 10)}`), type, doc, deltaLog: options.deltaLog ?? true, gossipMs: options.gossipMs ?? 100 });
  replica.connect(link);
  cleanup.push(() => {
    replica.close();
    link.close();
  });
  return { replica, link, closes };
}

/** The HTTP status of a refused upgrade, or 101 if it opened. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => resolve(0));
  });
}

export const typeText = (replica: Replica<RGA.RGA>, text: string) => replica.update((s, id) => RGA.insertText(s, id, RGA.length(s), text));
export const textOf = (replica: Replica<RGA.RGA>) => RGA.text(replica.state);

/**
 * A test type whose deltas are as large as one likes: a grow-only map from
 * `replica/key` to a string (full-state sync). Its authors are the replica parts of
 * the keys.
 */
export type Blobs = ReadonlyMap<string, string>;
export const BLOBS: SyncAdapter<Blobs> = {
  bottom: new Map(),
  merge: (a, b) => new Map([...a, ...b]),
  leq: (a, b) => [...a].every(([k, v]) => b.get(k) === v),
  equals: (a, b) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v),
  encode: (s) => new TextEncoder().encode(JSON.stringify([...s])),
  decode: (bytes) => {
    try {
      const pairs = JSON.parse(new TextDecoder().decode(bytes)) as Array<[string, string]>;
      if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string')) throw new Error('shape');
      return new Map(pairs);
    } catch {
      throw new DecodeError('not a blob map', { offset: 0 });
    }
  },
  authors: (s) => [...s.keys()].map((k) => asReplicaId(k.split('/')[0] ?? '')),
};

/** The store, whose `close` the servers of a test cannot reach: it outlives them, as a database does. */
export function outliving(store: DocumentStore): DocumentStore {
  return {
    load: (doc) => store.load(doc),
    append: (doc, delta) => store.append(doc, delta),
    compact: (doc, state, through) => store.compact(doc, state, through),
    delete: (doc) => store.delete(doc),
    documents: () => store.documents(),
    bind: (replica, identity) => store.bind(replica, identity),
    ...(store.release && { release: (doc: string) => store.release?.(doc) }),
    close: async () => {},
  };
}

/** The store, outliving its servers, noting in `binds` the replica id of every `bind` call. */
export function countingBinds(store: DocumentStore): { store: DocumentStore; binds: string[] } {
  const binds: string[] = [];
  const counting: DocumentStore = {
    ...outliving(store),
    bind: (replica, identity) => {
      binds.push(replica);
      return store.bind(replica, identity);
    },
  };
  return { store: counting, binds };
}

/** Whether every stored change of `doc` came from `authors`, and how many there are. */
export async function storedAuthors(store: DocumentStore, doc: string): Promise<string[]> {
  return (await store.load(doc)).deltas.map((d) => decodeMessage(d.bytes).from);
}
