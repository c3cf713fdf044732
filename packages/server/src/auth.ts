import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * What a connection may do with its document: `'read'` sends sync requests and
 * receives; `'write'` also sends changes.
 *
 * @example
 * ```ts
 * import type { Access } from '@convergent/server';
 *
 * const viewer: Access = 'read';
 * viewer; // => 'read'
 * ```
 */
export type Access = 'read' | 'write';

/**
 * The upgrade request as the authentication hook sees it: the document asked for, the
 * URL with its query, headers and cookies, and the client's address.
 *
 * @example
 * ```ts
 * import type { AuthRequest } from '@convergent/server';
 *
 * const tokenOf = (request: AuthRequest) => request.query.get('token') ?? request.cookies.get('session');
 * typeof tokenOf; // => 'function'
 * ```
 */
export interface AuthRequest {
  /** The document's name (from the URL path). */
  readonly document: string;
  /** The request URL (its host is the `Host` header, or `localhost`). */
  readonly url: URL;
  /** The query parameters: browsers cannot set headers on a WebSocket, so tokens often travel here. */
  readonly query: URLSearchParams;
  /** The request headers (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  /** The cookies sent with the request. */
  readonly cookies: ReadonlyMap<string, string>;
  /** The client's address, as the `address` option computes it (default the socket's remote address). */
  readonly address: string;
  /** The raw Node request, for anything else (the TLS client certificate, …). */
  readonly request: IncomingMessage;
}

/**
 * A successful authentication: who the client is, what it may do with the document,
 * and optionally when its credentials expire (the connection is then closed with
 * `4401`: a `WebSocketTransport` whose URL is a function reconnects, asking it for a
 * fresh token; one with a fixed URL stops).
 *
 * @example
 * ```ts
 * import type { Grant } from '@convergent/server';
 *
 * const grant: Grant = { identity: 'alice', access: 'write', expiresAt: Date.now() + 3_600_000 };
 * grant.access; // => 'write'
 * // At the digest endpoint: only the documents under 'team-a/'.
 * const digests: Grant = { identity: 'alice', access: 'read', digestScope: 'team-a/' };
 * digests.digestScope; // => 'team-a/'
 * ```
 */
export interface Grant {
  /** A stable name of the user or service, at most 256 UTF-8 bytes (a longer one fails the upgrade with 500): replica ids are bound to it in the store, and {@link ConvergentServer.revoke} closes its connections. */
  readonly identity: string;
  /** Read or write access to the requested document. */
  readonly access: Access;
  /** When the credentials expire, in ms since the epoch (`Date.now()` scale). */
  readonly expiresAt?: number;
  /**
   * For the digest endpoint (option `digestPath`; the hook sees it as the document
   * `''`): the name prefix of the documents this identity may learn of, e.g.
   * `'team-a/'`. The server then answers it from a digest tree of only the documents
   * whose names start with it, so it learns nothing of the names or versions of
   * others. Default (or `''`): every document the server holds. Ignored on document
   * connections.
   */
  readonly digestScope?: string;
}

/**
 * A refused connection: answered with HTTP 401 (`'unauthenticated'`: no or bad
 * credentials) or 403 (`'forbidden'`: valid credentials, no access to this document)
 * before any WebSocket is opened.
 *
 * @example
 * ```ts
 * import type { Refusal } from '@convergent/server';
 *
 * const no: Refusal = { refuse: 'forbidden', reason: 'not a member of this team' };
 * no.refuse; // => 'forbidden'
 * ```
 */
export interface Refusal {
  /** Why: decides the HTTP status. */
  readonly refuse: 'unauthenticated' | 'forbidden';
  /** For the log (never sent to the client). */
  readonly reason?: string;
}

/**
 * The authentication hook: called once per connection, with the upgrade request,
 * before the WebSocket opens. Return a {@link Grant} or a {@link Refusal}; a hook that
 * throws or takes longer than `limits.authTimeoutMs` refuses with HTTP 500 or 503.
 *
 * @example
 * ```ts
 * import type { Authenticate } from '@convergent/server';
 *
 * // A shared secret in the query; read-only for everyone else.
 * const authenticate: Authenticate = ({ query }) =>
 *   query.get('token') === 'let-me-in' ? { identity: 'team', access: 'write' } : { identity: 'guest', access: 'read' };
 * typeof authenticate; // => 'function'
 * ```
 */
export type Authenticate = (request: AuthRequest) => Grant | Refusal | Promise<Grant | Refusal>;

/**
 * A hook that lets everyone read and write every document, as one identity per
 * address. For development and tests only.
 *
 * @example
 * ```ts
 * import { allowAnyone, MemoryStore, startServer } from '@convergent/server';
 * import * as GCounter from '@convergent/g-counter';
 *
 * const server = await startServer({ authenticate: allowAnyone, documents: () => GCounter, store: new MemoryStore(), logger: () => {} });
 * server.url.startsWith('ws://127.0.0.1:'); // => true
 * await server.close();
 * ```
 */
export const allowAnyone: Authenticate = ({ address }) => ({ identity: `anyone@${address}`, access: 'write' });

/** Cookies of a `Cookie` header; malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    let value = pair.slice(at + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      if (!cookies.has(name)) cookies.set(name, decodeURIComponent(value));
    } catch {
      // Not percent-encoded UTF-8: skip it.
    }
  }
  return cookies;
}

export function isGrant(result: Grant | Refusal): result is Grant {
  return (result as Partial<Refusal> | null)?.refuse === undefined;
}
