import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { DecodeError, type ReplicaId } from '@convergent/core';
import { decodePresence, isPresenceMessage } from '@convergent/presence';
import { decodeFrame, decodeMessage, DEFAULT_SYNC_LIMITS, isCompanionMessage, PONG_FRAME, type RelayFrame, type SyncAdapter, type SyncLimits, type SyncMessage } from '@convergent/sync';
import { WebSocketServer, type WebSocket } from 'ws';
import { isGrant, parseCookies, type Authenticate, type AuthRequest, type Grant, type Refusal } from './auth.js';
import { Bindings, ConnectedIdentities } from './bindings.js';
import { DocumentDigests } from './digests.js';
import { ClientLink, LoadedDocument, type DocumentContext, type DocumentSpec } from './document.js';
import { Bucket, resolveLimits, type ServerLimits } from './limits.js';
import { emitter, jsonLines, type Logger } from './log.js';
import { countRefusal, newCounters, renderMetrics } from './metrics.js';
import { LevelDbStore } from './leveldb-store.js';
import { MAX_IDENTITY_BYTES, type DocumentStore, type Fanout } from './store.js';

/**
 * How to start a server ({@link startServer}).
 *
 * @example
 * ```ts
 * import * as GCounter from '@convergent/g-counter';
 * import { allowAnyone, MemoryStore, type ServerOptions } from '@convergent/server';
 *
 * const options: ServerOptions = {
 *   documents: (name) => (name.startsWith('counter/') ? GCounter : undefined),
 *   authenticate: allowAnyone,
 *   store: new MemoryStore(),
 *   limits: { maxConnectionsPerAddress: 20 },
 *   bindingCache: 5_000, // replica-id bindings kept in memory (all of them are in the store)
 * };
 * options.limits?.maxConnectionsPerAddress; // => 20
 * options.bindingCache; // => 5000
 * ```
 */
export interface ServerOptions {
  /**
   * The type of each document, by name; `undefined` refuses the name (HTTP 404).
   * Return the type module (e.g. `GCounter`), or a {@link DocumentSpec} to set
   * `deltaLog`, which must match the clients' replicas.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly documents: (name: string) => SyncAdapter<any> | DocumentSpec<any> | undefined;
  /** The authentication hook ({@link Authenticate}); {@link allowAnyone} for development. */
  readonly authenticate: Authenticate;
  /**
   * Where documents are kept (default a {@link LevelDbStore} in `directory`). Pass a
   * `RedisStore` for several processes, or a {@link MemoryStore} in tests (it loses
   * everything on restart). The server closes it on {@link ConvergentServer.close}.
   */
  readonly store?: DocumentStore;
  /**
   * Folder of the default {@link LevelDbStore}, used when `store` is not given (default
   * `'./convergent-data'`, relative to the working directory; created if missing). Give
   * `store` or `directory`, not both.
   */
  readonly directory?: string;
  /** Fan-out to the other server processes sharing the store (default none: one process). The server closes it on close. */
  readonly fanout?: Fanout;
  /** Attach to this HTTP or HTTPS server (its `upgrade` events under `path`) instead of starting one. */
  readonly server?: HttpServer | HttpsServer;
  /** Standalone: the interface to listen on (default `'127.0.0.1'`). */
  readonly host?: string;
  /** Standalone: the port (default 0: a free port). */
  readonly port?: number;
  /** URL path under which document names start (default `'/'`): `ws://host/<path><name>`. */
  readonly path?: string;
  /** Allowed `Origin` headers (exact, e.g. `'https://app.example.com'`); a request with another `Origin` is refused (403). Default: any. Requests without `Origin` (not from a browser) are let through. */
  readonly origins?: readonly string[];
  /** Limits per connection and per address ({@link DEFAULT_LIMITS}). */
  readonly limits?: Partial<ServerLimits>;
  /** Size limits of the documents' replicas (default `DEFAULT_SYNC_LIMITS` of `@convergent/sync`). */
  readonly syncLimits?: Partial<SyncLimits>;
  /** The client's address for per-address limits (default the socket's remote address; behind a proxy, read its forwarding header here). */
  readonly address?: (request: IncomingMessage) => string;
  /** A document with no connection for this long is compacted and unloaded, in ms (default 30,000). */
  readonly unloadMs?: number;
  /** Stored deltas are compacted into the state after this many appends (default 100). */
  readonly compactEvery?: number;
  /**
   * Replica-id bindings kept in memory (default 1,000; 0 for none). Every binding is in
   * the store (which identity first used each replica id): these are the most recently
   * used, so that a client reconnecting with a known id costs no store lookup. A fixed
   * cost (about 100 kB at the default), not one per document or per client.
   */
  readonly bindingCache?: number;
  /** Structured log entries (default {@link jsonLines}: JSON lines on standard output). */
  readonly logger?: Logger;
  /** Standalone: path of the health endpoint (default `'/health'`). */
  readonly healthPath?: string;
  /** Standalone: path of the Prometheus metrics (default `'/metrics'`). */
  readonly metricsPath?: string;
  /**
   * Path of the digest endpoint, e.g. `'/digest'` (default none: off). A client holding
   * many documents POSTs the digest requests of `findDifferences` (`@convergent/sync`)
   * there and learns which documents differ from the server's, without opening one
   * connection per document. The authentication hook sees it as the document `''`: a
   * grant there reveals the names and versions of every document the server holds,
   * unless it carries a {@link Grant.digestScope} (a name prefix: the answers then come
   * from the documents under it only), so the endpoint is off until set, and the hook
   * must decide on `''` deliberately.
   */
  readonly digestPath?: string;
}

/**
 * The server's health, as `GET /health` returns it in JSON (status 200, or 503 while
 * shutting down).
 *
 * @example
 * ```ts
 * import type { Health } from '@convergent/server';
 *
 * const health: Health = { status: 'ok', connections: 3, documents: 1, uptimeSeconds: 12 };
 * health.status; // => 'ok'
 * ```
 */
export interface Health {
  /** `'ok'`, or `'closing'` during a graceful shutdown. */
  readonly status: 'ok' | 'closing';
  /** Open client connections. */
  readonly connections: number;
  /** Documents loaded in memory. */
  readonly documents: number;
  /** Seconds since the server started. */
  readonly uptimeSeconds: number;
}

/**
 * A running server ({@link startServer}).
 *
 * @example
 * ```ts
 * import * as GCounter from '@convergent/g-counter';
 * import { allowAnyone, MemoryStore, startServer, type ConvergentServer } from '@convergent/server';
 *
 * const server: ConvergentServer = await startServer({ documents: () => GCounter, authenticate: allowAnyone, store: new MemoryStore(), logger: () => {} });
 * server.health().status; // => 'ok'
 * server.metrics().includes('convergent_connections 0'); // => true
 * await server.close();
 * server.health().status; // => 'closing'
 * ```
 */
export interface ConvergentServer {
  /** `ws://host:port/<path>`: append a document name (URI-encoded) to connect to it. */
  readonly url: string;
  /** The port (of the attached server too). */
  readonly port: number;
  /** Health, as the health endpoint reports it. */
  health(): Health;
  /** Metrics in the Prometheus text format, as the metrics endpoint serves them. */
  metrics(): string;
  /**
   * Closes every connection of `identity` (close code `4403`, reason `revoked`), after
   * which `WebSocketTransport` does not reconnect. Make the authentication hook refuse
   * its credentials too, or a new connection gets in again.
   * @param identity - the {@link Grant.identity}
   * @returns how many connections were closed
   */
  revoke(identity: string): number;
  /**
   * Deletes a document: closes its connections (code `4404`, after which
   * `WebSocketTransport` does not reconnect), unloads it without compacting and removes
   * it from the store. Through a fan-out that carries deletions
   * ({@link Fanout.publishDelete}) every other process does the same for its own
   * connections, and deletes it from the store again after its own last write. A client
   * holding a copy that connects later (one offline meanwhile, or a new transport)
   * writes it back: refuse the name in `documents` or in the authentication hook first.
   * @param name - the document
   */
  deleteDocument(name: string): Promise<void>;
  /**
   * Serves the health, metrics and digest endpoints on an attached server's `request` handler.
   * @param request - the request
   * @param response - the response
   * @returns whether it was one of them (and was answered)
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /**
   * Graceful shutdown: refuses new connections, closes the clients with `1012` (service
   * restart: they reconnect, to this server once it is back or to another process),
   * waits for the store writes, compacts every loaded document and closes the store and
   * fan-out. A standalone server stops listening.
   */
  close(): Promise<void>;
}

const CLOSE = {
  restart: [1012, 'server restarting'],
  expired: [4401, 'token expired'],
  revoked: [4403, 'revoked'],
  deleted: [4404, 'document deleted'],
  identity: [1008, 'replica id bound to another identity'],
  backlog: [1013, 'too many messages waiting'],
  replicas: [1008, 'too many replica ids'],
  rate: [1008, 'rate'],
  unavailable: [1011, 'document unavailable'],
  binary: [1003, 'binary frames only'],
} as const satisfies Record<string, readonly [number, string]>;

const STATUS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Longest document name, in UTF-8 bytes (the sync format's limit). */
const MAX_NAME_BYTES = 256;

/** Refuses an upgrade request with a bare HTTP response. */
function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function specOf(found: SyncAdapter<unknown> | DocumentSpec<unknown>): DocumentSpec<unknown> {
  return 'type' in found && typeof (found as DocumentSpec<unknown>).type === 'object' ? (found as DocumentSpec<unknown>) : { type: found as SyncAdapter<unknown> };
}

/**
 * Starts a Convergent server (Node only): each document is named by its URL path
 * (`ws://host/<path><name>`, the name URI-encoded), and the clients' replicas use the
 * same name as their `doc`. Clients connect with `WebSocketTransport` from
 * `@convergent/sync`.
 *
 * - **Access.** The `authenticate` hook sees the upgrade request and grants read or
 *   write access to the document, or refuses (HTTP 401 or 403). A replica id belongs
 *   to the first identity that uses it, recorded in the store (so across restarts, and
 *   across the processes sharing a store; option `bindingCache` keeps the recent ones
 *   in memory); another identity using it is disconnected. A
 *   read connection's changes are refused. Credentials that expire, and
 *   {@link ConvergentServer.revoke}, close connections.
 * - **Durability.** The server is a replica of each document and answers sync
 *   requests from its own state. By default it keeps documents in LevelDB, in the
 *   folder `directory` (`./convergent-data`); option `store` picks another store. It stores every accepted change before it
 *   acknowledges it (`Replica.acknowledged` on the client, causal types and delta
 *   logs only), compacts the stored changes into the state, unloads idle documents
 *   and reloads them on demand.
 * - **Presence** (`@convergent/presence`) is forwarded to the document's other
 *   connections, on other processes too if the fan-out carries it
 *   ({@link Fanout.publishPresence}), never stored: decoded within its limits, counted in the rate limits,
 *   its sender id bound to the connection's identity like a sync message's. Read
 *   connections may publish it. Other companion protocols are dropped.
 * - **Limits** per connection and per address ({@link DEFAULT_LIMITS}); slow readers
 *   are cut rather than buffered.
 * - **Operations.** Health and Prometheus metrics endpoints, JSON logs, graceful
 *   shutdown ({@link ConvergentServer.close}).
 * - **Many documents.** A digest endpoint (option `digestPath`) answers the digest-tree
 *   requests of `findDifferences` from `@convergent/sync`: a client holding thousands
 *   of documents learns which differ from the server's in a few requests, then
 *   connects to those only.
 *
 * @param options - documents, authentication, store, limits, address
 * @returns the running server, once it listens
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import * as GCounter from '@convergent/g-counter';
 * import { startServer } from '@convergent/server';
 *
 * const server = await startServer({
 *   documents: (name) => (name === 'likes' ? GCounter : undefined),
 *   authenticate: ({ query }) => (query.get('token') === 's3cret' ? { identity: 'team', access: 'write' } : { refuse: 'unauthenticated' }),
 *   // The default store, LevelDB, in a temporary folder (default './convergent-data'):
 *   directory: mkdtempSync(join(tmpdir(), 'convergent-')),
 *   logger: () => {},
 * });
 * // A client, in a browser or in Node (`WebSocket` from 'ws'):
 * //   const replica = new Replica({ id: replicaId(), type: GCounter, doc: 'likes' });
 * //   replica.connect(new WebSocketTransport(`${server.url}likes?token=s3cret`));
 * const health = await fetch(server.url.replace('ws:', 'http:') + 'health');
 * health.status; // => 200
 * await server.close();
 * ```
 */
export async function startServer(options: ServerOptions): Promise<ConvergentServer> {
  const limits = resolveLimits(options.limits);
  const log = emitter(options.logger ?? jsonLines());
  const counters = newCounters();
  if (options.store !== undefined && options.directory !== undefined) throw new RangeError('give store or directory, not both');
  const fanout = options.fanout;
  const unloadMs = options.unloadMs ?? 30_000;
  if (!(unloadMs >= 0 && unloadMs <= MAX_TIMER_MS)) throw new RangeError('unloadMs must be a number of milliseconds');
  if (!(Number.isSafeInteger(options.compactEvery ?? 1) && (options.compactEvery ?? 1) > 0)) throw new RangeError('compactEvery must be a positive integer');
  const bindingCache = options.bindingCache ?? 1000;
  if (!(Number.isSafeInteger(bindingCache) && bindingCache >= 0)) throw new RangeError('bindingCache must be a non-negative integer');
  const path = (options.path ?? '/').replace(/\/?$/, '/');
  if (!path.startsWith('/')) throw new RangeError("path must start with '/'");
  const origins = options.origins ? new Set(options.origins) : undefined;
  const addressOf = options.address ?? ((request: IncomingMessage) => request.socket.remoteAddress ?? 'unknown');
  const syncLimits = { ...DEFAULT_SYNC_LIMITS, ...options.syncLimits };
  const store = options.store ?? (await LevelDbStore.open(options.directory ?? DEFAULT_DIRECTORY));
  const started = performance.now();
  const context: DocumentContext = {
    store,
    fanout,
    counters,
    syncLimits: options.syncLimits,
    compactEvery: options.compactEvery ?? 100,
    onError: (event, error, fields) => log('error', event, { ...fields, error }),
  };
  /** A stored document's version, for the digest tree: loaded on its own, read and dropped (the documents map is for connections). */
  const storedVersion = async (name: string): Promise<Uint8Array | undefined> => {
    const found = options.documents(name);
    if (found === undefined) return undefined;
    const doc = await LoadedDocument.open(name, specOf(found), { ...context, fanout: undefined });
    try {
      return doc.replica.version;
    } finally {
      await doc.close(true);
      if (!docs.has(name)) store.release?.(name);
    }
  };
  const digestPath = options.digestPath;
  const digests = digestPath === undefined ? undefined : new DocumentDigests(store, storedVersion);

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false });
  const docs = new Map<string, Promise<LoadedDocument>>();
  /** Documents being unloaded or deleted: a new load waits for it. */
  const leaving = new Map<string, Promise<void>>();
  const idleTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const perAddress = new Map<string, { connections: number; messages: Bucket; bytes: Bucket }>();
  const sockets = new Map<WebSocket, { link: ClientLink | undefined; doc: string; identity: string }>();
  const bindings = new Bindings(store, bindingCache);
  const identities = new ConnectedIdentities();
  let connections = 0;
  let closing = false;

  const acquire = (name: string, spec: DocumentSpec<unknown>): Promise<LoadedDocument> => {
    clearTimeout(idleTimers.get(name));
    idleTimers.delete(name);
    let pending = docs.get(name);
    if (pending === undefined) {
      const loading = (leaving.get(name) ?? Promise.resolve()).then(() => LoadedDocument.open(name, spec, context));
      pending = loading;
      docs.set(name, loading);
      loading.then(
        (doc) => {
          counters.documentsLoaded++;
          digests?.track(name, doc.replica);
        },
        (error: unknown) => {
          if (docs.get(name) === loading) docs.delete(name);
          log('error', 'load-failed', { document: name, error });
        },
      );
    }
    return pending;
  };

  /** Takes a loaded document out of memory: `discard` skips the final compaction (deletion). */
  const release = (name: string, discard: boolean, then?: () => Promise<void>): Promise<void> => {
    const pending = docs.get(name);
    docs.delete(name);
    clearTimeout(idleTimers.get(name));
    idleTimers.delete(name);
    const done = (async () => {
      await leaving.get(name);
      const doc = await pending?.catch(() => undefined);
      if (doc) {
        await doc.close(discard);
        counters.documentsLoaded--;
      }
      await then?.();
      if (!docs.has(name)) store.release?.(name);
    })();
    const tracked = done.finally(() => {
      if (leaving.get(name) === tracked) leaving.delete(name);
    });
    leaving.set(name, tracked);
    return tracked;
  };

  const scheduleUnload = (doc: LoadedDocument) => {
    if (doc.links.size > 0 || closing) return;
    clearTimeout(idleTimers.get(doc.name));
    const timer = setTimeout(() => {
      idleTimers.delete(doc.name);
      void docs.get(doc.name)?.then((current) => {
        if (current === doc && doc.links.size === 0 && !closing) {
          log('debug', 'unloaded', { document: doc.name });
          return release(doc.name, false);
        }
      });
    }, unloadMs);
    timer.unref();
    idleTimers.set(doc.name, timer);
  };

  /**
   * Deletes `name` on this process: closes its connections (`4404`), unloads it without
   * compacting and removes it from the store; for `deleteDocument`, and for a deletion
   * another process announced through the fan-out (never announced again).
   *
   * The race with the other processes: one that holds the document may still be
   * appending its clients' deltas, or compacting, when the deleting process removes it
   * from the store, and would write it back. So every process that hears of the
   * deletion deletes it from the store itself, after its own writes of it have ended:
   * holding it, it first closes it (queued appends and compactions drain, and it takes
   * no more); not holding it, it has none under way. Each process's last write of the
   * document thus comes before its own delete, whichever delete lands last, so the
   * deleting process may delete and announce at once. The cost: one store delete per
   * process and deletion.
   */
  const removeDocument = async (name: string): Promise<void> => {
    for (const [ws, record] of sockets) if (record.doc === name) closeSocket(ws, 'deleted', { document: name });
    await release(name, true, () => store.delete(name));
    digests?.delete(name);
  };

  const addressEntry = (address: string) => {
    let entry = perAddress.get(address);
    if (entry === undefined) perAddress.set(address, (entry = { connections: 0, messages: new Bucket(limits.messagesPerSecondPerAddress), bytes: new Bucket(limits.bytesPerSecondPerAddress) }));
    return entry;
  };

  const closeSocket = (socket: WebSocket, why: keyof typeof CLOSE, fields: Record<string, unknown> = {}) => {
    countRefusal(counters, why);
    log(why === 'restart' ? 'debug' : 'warn', 'closed', { reason: why, ...fields });
    const [code, reason] = CLOSE[why];
    socket.close(code, reason);
  };

  /** The authentication hook, or `'timeout'` after `authTimeoutMs`. */
  const authenticate = (request: AuthRequest): Promise<Grant | Refusal | 'timeout'> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), limits.authTimeoutMs)));
    return Promise.race([Promise.resolve(options.authenticate(request)), timeout]).finally(() => clearTimeout(timer));
  };

  /** Checks the upgrade request; answers it with an HTTP error or opens the WebSocket. */
  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const refuse = (status: number, reason: string, fields: Record<string, unknown> = {}) => {
      countRefusal(counters, reason);
      log('warn', 'refused', { reason, status, ...fields });
      refuseUpgrade(socket, status);
    };
    if (closing) return refuse(503, 'closing');
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.slice(path.length));
    } catch {
      return refuse(400, 'bad-name');
    }
    if (name === '' || Buffer.byteLength(name) > MAX_NAME_BYTES || !name.isWellFormed()) return refuse(400, 'bad-name');
    const address = addressOf(request);
    const origin = request.headers.origin;
    if (origins && origin !== undefined && !origins.has(origin)) return refuse(403, 'origin', { origin, address });
    const entry = addressEntry(address);
    if (connections >= limits.maxConnections) return refuse(503, 'connections', { address });
    if (entry.connections >= limits.maxConnectionsPerAddress) return refuse(429, 'connections-per-address', { address });
    const found = options.documents(name);
    if (found === undefined) return refuse(404, 'no-document', { document: name, address });
    connections++;
    entry.connections++;
    counters.connections = connections;
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      connections--;
      counters.connections = connections;
      if (--entry.connections === 0) perAddress.delete(address);
    };
    socket.once('close', uncount);
    let grant: Grant;
    try {
      const result = await authenticate({ document: name, url, query: url.searchParams, headers: request.headers, cookies: parseCookies(request.headers.cookie), address, request });
      if (result === 'timeout') {
        uncount();
        return refuse(503, 'auth-timeout', { document: name, address });
      }
      if (!isGrant(result)) {
        uncount();
        return refuse(result.refuse === 'forbidden' ? 403 : 401, result.refuse === 'forbidden' ? 'forbidden' : 'unauthenticated', { document: name, address, detail: result.reason });
      }
      const problem = grantProblem(result);
      if (problem !== undefined) throw new TypeError(`authenticate returned ${problem}`);
      grant = result;
    } catch (error) {
      uncount();
      log('error', 'auth-error', { document: name, address, error });
      return refuse(500, 'auth-error', { document: name, address });
    }
    if (closing || socket.destroyed) {
      uncount();
      return refuse(503, 'closing');
    }
    if (grant.expiresAt !== undefined && grant.expiresAt <= Date.now()) {
      uncount();
      return refuse(401, 'expired', { document: name, identity: grant.identity });
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('close', uncount);
      ws.once('close', uncount);
      connected(ws, name, specOf(found), grant, address, entry);
    });
  };

  const connected = (ws: WebSocket, name: string, spec: DocumentSpec<unknown>, grant: Grant, address: string, entry: ReturnType<typeof addressEntry>) => {
    const fields = { document: name, identity: grant.identity, address };
    log('info', 'connected', { ...fields, access: grant.access });
    const record = { link: undefined as ClientLink | undefined, doc: name, identity: grant.identity };
    sockets.set(ws, record);
    const messages = new Bucket(limits.messagesPerSecond);
    const bytes = new Bucket(limits.bytesPerSecond);
    const idle = setTimeout(() => {
      countRefusal(counters, 'idle');
      log('info', 'closed', { reason: 'idle', ...fields });
      ws.terminate();
    }, limits.idleMs);
    let expiry: ReturnType<typeof setTimeout> | undefined;
    // Timers hold at most 2^31 - 1 ms (24.8 days): a later expiry re-arms.
    const armExpiry = (at: number) => {
      const left = at - Date.now();
      expiry = setTimeout(() => (left > MAX_TIMER_MS ? armExpiry(at) : closeSocket(ws, 'expired', fields)), Math.min(left, MAX_TIMER_MS));
    };
    if (grant.expiresAt !== undefined) armExpiry(grant.expiresAt);
    const deliver = (frame: Uint8Array) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount + frame.length > limits.maxQueuedBytes) {
        countRefusal(counters, 'slow-reader');
        log('warn', 'closed', { reason: 'slow-reader', queued: ws.bufferedAmount, ...fields });
        ws.terminate();
        return;
      }
      counters.messagesSent++;
      counters.bytesSent += frame.length;
      ws.send(frame, { binary: true });
    };
    const link = new ClientLink(grant.identity, grant.access === 'write', deliver, identities.join(grant.identity));
    let doc: LoadedDocument | undefined;

    /**
     * Messages are handled in order of arrival. Most are handled at once; while one waits
     * (for the document to load, or for the store to bind a replica id new here), the
     * later ones queue behind it, up to `maxQueuedBytes`, and then run together.
     */
    const queue: Uint8Array[] = [];
    let queuedBytes = 0;
    let blocked = false;
    const block = (pending: Promise<void>) => {
      blocked = true;
      void pending
        .catch((error: unknown) => log('error', 'message-error', { ...fields, error }))
        .then(() => {
          blocked = false;
          while (!blocked && queue.length > 0 && ws.readyState === ws.OPEN) {
            const chunk = queue.shift() as Uint8Array;
            queuedBytes -= chunk.length;
            run(chunk);
          }
        });
    };
    const run = (chunk: Uint8Array) => {
      const pending = handle(chunk);
      if (pending !== undefined) block(pending);
    };
    const enqueue = (chunk: Uint8Array) => {
      if (!blocked) return run(chunk);
      if (queuedBytes + chunk.length > limits.maxQueuedBytes) return closeSocket(ws, 'backlog', fields);
      queuedBytes += chunk.length;
      queue.push(chunk);
    };

    /** Handles one frame; a promise if it has to wait for the store (a replica id not yet bound here). */
    const handle = (data: Uint8Array): Promise<void> | undefined => {
      let frame;
      try {
        frame = decodeFrame(data);
      } catch {
        countRefusal(counters, 'bad-frame');
        return;
      }
      if (frame.kind === 'ping') {
        ws.send(PONG_FRAME, { binary: true });
        return;
      }
      if (frame.kind !== 'data' || doc === undefined) return;
      counters.messagesReceived++;
      if (isCompanionMessage(frame.payload)) return companion(frame, data, doc);
      let message: SyncMessage;
      try {
        message = decodeMessage(frame.payload, syncLimits);
      } catch (error) {
        countRefusal(counters, 'bad-message');
        log('debug', 'message-refused', { ...fields, error });
        return;
      }
      const loaded = doc;
      const payload = frame.payload;
      return afterSentBy(sentBy(frame.from, message.doc, message.from, loaded), () => {
        if (message.kind === 'state' && !link.canWrite) {
          countRefusal(counters, 'read-only');
          log('debug', 'message-refused', { ...fields, reason: 'read-only' });
          return;
        }
        try {
          loaded.fromClient(link, message, payload);
        } catch (error) {
          countRefusal(counters, 'rejected');
          log('warn', 'message-refused', { ...fields, error });
        }
      });
    };

    /**
     * Whether a message is for this document and its senders are bound to this identity;
     * closes the connection on an impersonation. A promise if a sender is new to the
     * connection: its binding is the store's.
     */
    const sentBy = (frameFrom: ReplicaId | undefined, messageDoc: string, from: ReplicaId, loaded: LoadedDocument): boolean | Promise<boolean> => {
      if (messageDoc !== name) {
        countRefusal(counters, 'wrong-document');
        log('debug', 'message-refused', { ...fields, reason: 'wrong-document', doc: messageDoc });
        return false;
      }
      const ids = frameFrom === undefined || frameFrom === from ? [from] : [frameFrom, from];
      if (ids.every((id) => link.ids.has(id))) return true;
      return (async () => {
        for (const id of ids) {
          if (link.ids.has(id)) continue;
          let refused;
          try {
            refused = await claim(link, id, loaded);
          } catch (error) {
            log('error', 'bind-failed', { ...fields, replica: id, error });
            refused = 'unavailable' as const;
          }
          if (ws.readyState !== ws.OPEN) return false;
          if (refused) {
            closeSocket(ws, refused, { ...fields, replica: id });
            return false;
          }
          // Only while open: the close handler hands the connection's ids back.
          link.ids.add(id);
          identities.use(grant.identity, id);
        }
        return true;
      })();
    };

    /** Runs `accept` once the senders are checked, if they pass. */
    const afterSentBy = (checked: boolean | Promise<boolean>, accept: () => void): Promise<void> | undefined => {
      if (checked === true) accept();
      else if (checked !== false) return checked.then((ok) => (ok ? accept() : undefined));
      return undefined;
    };

    /**
     * Presence (`@convergent/presence`), the one companion protocol the server carries: it
     * is not stored, only forwarded as it came to the document's other connections (or to
     * the one a frame is addressed to), here and through the fan-out on other processes,
     * once decoded within the presence limits and its sender checked like a sync
     * message's. Read connections publish presence too.
     */
    const companion = (frame: RelayFrame & { kind: 'data' }, data: Uint8Array, loaded: LoadedDocument) => {
      let message;
      try {
        if (!isPresenceMessage(frame.payload)) throw new TypeError('a companion protocol the server does not carry');
        message = decodePresence(frame.payload);
      } catch (error) {
        countRefusal(counters, 'bad-presence');
        log('debug', 'message-refused', { ...fields, error });
        return;
      }
      return afterSentBy(sentBy(frame.from, message.doc, message.from, loaded), () => loaded.presence(data, frame.to, link));
    };

    ws.on('message', (data, isBinary) => {
      if (ws.readyState !== ws.OPEN) return; // closed by a policy: the rest is not read
      idle.refresh();
      const chunk = data instanceof Uint8Array ? data : new Uint8Array(Array.isArray(data) ? Buffer.concat(data) : data);
      counters.bytesReceived += chunk.length;
      if (!messages.take(1) || !bytes.take(chunk.length) || !entry.messages.take(1) || !entry.bytes.take(chunk.length)) return closeSocket(ws, 'rate', fields);
      if (!isBinary) return closeSocket(ws, 'binary', fields);
      enqueue(chunk);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', (code) => {
      clearTimeout(idle);
      clearTimeout(expiry);
      sockets.delete(ws);
      identities.leave(grant.identity, link.ids);
      queue.length = 0; // not kept alive by a store call that never ends
      log('info', 'disconnected', { ...fields, code });
      if (doc !== undefined) {
        doc.detach(link);
        scheduleUnload(doc);
      }
    });
    // Messages that arrive meanwhile wait for the document.
    block(
      acquire(name, spec).then(
        (loaded) => {
          if (ws.readyState !== ws.OPEN) return scheduleUnload(loaded);
          doc = loaded;
          record.link = link;
          loaded.attach(link);
        },
        () => closeSocket(ws, 'unavailable', fields),
      ),
    );
  };

  /**
   * Binds a replica id to the connection's identity (in the store, through the cache),
   * for the caller to add to the connection's ids; or why not: another identity holds
   * it, or the connection has too many. Rejects if the store does.
   */
  const claim = async (link: ClientLink, id: ReplicaId, doc: LoadedDocument): Promise<'identity' | 'replicas' | undefined> => {
    if (link.ids.size >= limits.maxReplicasPerConnection) return 'replicas';
    if (id === doc.replica.id) return 'identity';
    if ((await bindings.owner(id, link.identity)) !== link.identity) return 'identity';
    return undefined;
  };

  const health = (): Health => ({ status: closing ? 'closing' : 'ok', connections, documents: docs.size, uptimeSeconds: Math.round((performance.now() - started) / 1000) });
  const healthPath = options.healthPath ?? '/health';
  const metricsPath = options.metricsPath ?? '/metrics';
  /** One digest request (POST, the body a digest message) answered from the server's digest tree. */
  const serveDigest = async (digests: DocumentDigests, request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const reply = (status: number, reason: string, body?: Uint8Array) => {
      if (status !== 200) {
        countRefusal(counters, reason);
        log('warn', 'refused', { reason, status, route: 'digest' });
      }
      response.writeHead(status, body ? { 'content-type': 'application/octet-stream' } : {}).end(body);
    };
    if (closing) return reply(503, 'closing');
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    const address = addressOf(request);
    const origin = request.headers.origin;
    if (origins && origin !== undefined && !origins.has(origin)) return reply(403, 'origin');
    const result = await authenticate({ document: '', url, query: url.searchParams, headers: request.headers, cookies: parseCookies(request.headers.cookie), address, request });
    if (result === 'timeout') return reply(503, 'auth-timeout');
    if (!isGrant(result)) return reply(result.refuse === 'forbidden' ? 403 : 401, result.refuse);
    const problem = grantProblem(result);
    if (problem !== undefined) throw new TypeError(`authenticate returned ${problem}`);
    if (result.expiresAt !== undefined && result.expiresAt <= Date.now()) return reply(401, 'expired');
    // Read only once authenticated, and no more than one message.
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limits.maxMessageBytes) return reply(413, 'digest-too-large');
      chunks.push(chunk);
    }
    await digests.filled();
    counters.messagesReceived++;
    counters.bytesReceived += size;
    let answer: Uint8Array;
    try {
      answer = digests.scoped(result.digestScope).answer(new Uint8Array(Buffer.concat(chunks)));
    } catch (error) {
      if (error instanceof DecodeError) return reply(400, 'bad-message');
      throw error;
    }
    counters.messagesSent++;
    counters.bytesSent += answer.length;
    reply(200, '', answer);
  };

  const handleRequest = (request: IncomingMessage, response: ServerResponse): boolean => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (digests && request.method === 'POST' && pathname === digestPath) {
      serveDigest(digests, request, response).catch((error: unknown) => {
        log('error', 'digest-error', { error });
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
      return true;
    }
    if (request.method !== 'GET' || (pathname !== healthPath && pathname !== metricsPath)) return false;
    if (pathname === healthPath) {
      const body = health();
      response.writeHead(body.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } else response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics(counters));
    return true;
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    if (!pathname.startsWith(path)) return; // another handler's route
    socket.on('error', () => socket.destroy());
    upgrade(request, socket, head).catch((error: unknown) => {
      log('error', 'upgrade-error', { error });
      refuseUpgrade(socket, 500);
    });
  };

  const standalone = options.server === undefined;
  const http =
    options.server ??
    createServer({ headersTimeout: limits.authTimeoutMs, requestTimeout: limits.authTimeoutMs, connectionsCheckingInterval: Math.min(1000, limits.authTimeoutMs) }, (request, response) => {
      if (!handleRequest(request, response)) response.writeHead(404).end();
    });
  if (fanout?.subscribeDeletes) {
    await fanout
      .subscribeDeletes((name) => {
        if (closing) return;
        log('info', 'deleted-elsewhere', { document: name });
        removeDocument(name).catch((error: unknown) => log('error', 'delete-failed', { document: name, error }));
      })
      .catch(async (error: unknown) => {
        if (options.store === undefined) await store.close();
        throw error;
      });
  }
  http.on('upgrade', onUpgrade);
  if (standalone) {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    }).catch(async (error: unknown) => {
      // Release the default store's folder (its lock) so that a retry can open it.
      if (options.store === undefined) await store.close();
      throw error;
    });
  }
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const host = standalone ? (options.host ?? '127.0.0.1') : typeof address === 'object' && address !== null ? address.address : 'localhost';
  const scheme = 'cert' in http || 'key' in http || (http as { _sharedCreds?: unknown })._sharedCreds !== undefined ? 'wss' : 'ws';
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  log('info', 'listening', { url });

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    health,
    metrics: () => renderMetrics(counters),
    revoke(identity) {
      let n = 0;
      for (const [ws, record] of sockets) {
        if (record.identity !== identity) continue;
        closeSocket(ws, 'revoked', { identity, document: record.doc });
        n++;
      }
      return n;
    },
    async deleteDocument(name) {
      await Promise.all([removeDocument(name), fanout?.publishDelete?.(name)]);
      log('info', 'deleted', { document: name });
    },
    handleRequest,
    close() {
      closed ??= (async () => {
        closing = true;
        http.off('upgrade', onUpgrade);
        for (const ws of sockets.keys()) closeSocket(ws, 'restart');
        const names = [...docs.keys()];
        await Promise.all(names.map((name) => release(name, false)));
        await Promise.all([...leaving.values()]);
        const clientsGone = Promise.all([...wss.clients].map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())))));
        await Promise.race([clientsGone, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
        for (const ws of wss.clients) ws.terminate();
        await fanout?.close();
        await store.close();
        if (standalone) {
          await new Promise<void>((resolve) => {
            http.close(() => resolve());
            (http as HttpServer).closeAllConnections?.();
          });
        }
        log('info', 'closed-server', { url });
      })();
      return closed;
    },
  };
}

/** What is wrong with what a JavaScript hook returned as a grant, if anything. */
function grantProblem(grant: Grant): string | undefined {
  if (typeof grant !== 'object' || grant === null) return 'neither a grant nor a refusal';
  if (typeof grant.identity !== 'string' || grant.identity === '') return 'a grant without an identity';
  if (Buffer.byteLength(grant.identity) > MAX_IDENTITY_BYTES || !grant.identity.isWellFormed()) return `a grant whose identity is past ${MAX_IDENTITY_BYTES} UTF-8 bytes or malformed`;
  if (grant.access !== 'read' && grant.access !== 'write') return `a grant with access ${String(grant.access)}`;
  if (grant.expiresAt !== undefined && !Number.isFinite(grant.expiresAt)) return 'a grant with a non-numeric expiresAt';
  if (grant.digestScope !== undefined && typeof grant.digestScope !== 'string') return 'a grant with a digestScope that is not a string';
  return undefined;
}

/** Folder of the default store, relative to the working directory. */
const DEFAULT_DIRECTORY = './convergent-data';

/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

