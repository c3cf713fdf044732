import type { ReplicaId } from '@convergent/core';
import { decodeFrame, encodeDataFrame, PING_FRAME, type RelayFrame } from './relay-frame.js';
import type { SendOptions, Transport, TransportHandlers } from './transport.js';

/**
 * The part of the WebSocket API the transport uses: met by the browser's
 * `WebSocket` and by the `ws` package's in Node.
 *
 * @example
 * ```ts
 * import type { WebSocketLike } from '@convergent/sync';
 *
 * const closed: Pick<WebSocketLike, 'readyState'> = { readyState: 3 };
 * closed.readyState; // => 3
 * ```
 */
export interface WebSocketLike {
  /** Set to `'arraybuffer'` by the transport. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /**
   * Sends a binary frame.
   * @param data - the bytes
   */
  send(data: Uint8Array): void;
  /** Closes the socket. */
  close(): void;
  /** Drops the connection at once, without a closing handshake (the `ws` package has it; browsers do not). */
  terminate?(): void;
  /**
   * Adds an event listener.
   * @param type - `open`, `message`, `close` or `error`
   * @param listener - the callback
   */
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: object) => void): void;
}

/**
 * A WebSocket class: the browser's `WebSocket`, or `WebSocket` from `ws` in Node.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from '@convergent/sync';
 *
 * const Socket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
 * typeof Socket === 'function' || Socket === undefined; // => true
 * ```
 */
export interface WebSocketConstructor {
  /**
   * Opens a socket.
   * @param url - the address
   */
  new (url: string): WebSocketLike;
}

/**
 * How a {@link WebSocketTransport} connects and notices a dead link.
 *
 * @example
 * ```ts
 * import type { WebSocketTransportOptions } from '@convergent/sync';
 *
 * const options: WebSocketTransportOptions = { reconnectMs: 500, maxReconnectMs: 10000, pingMs: 5000, idleMs: 12000 };
 * options.reconnectMs; // => 500
 * ```
 */
export interface WebSocketTransportOptions {
  /** The WebSocket constructor: default the global one (browsers); in Node pass `WebSocket` from `ws`. */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Base of the reconnection back-off, in ms (default 1000; 0 never reconnects).
   * After the n-th failure in a row the transport waits a random time between 0 and
   * `min(maxReconnectMs, reconnectMs * 2^n)` ("full jitter", so that the clients of
   * a restarted relay do not all return at once); n restarts at 0 once a connection
   * opens.
   */
  readonly reconnectMs?: number;
  /** Cap of the reconnection back-off, in ms (default 30000). */
  readonly maxReconnectMs?: number;
  /** Interval between pings to the relay while connected, in ms (default 10000). */
  readonly pingMs?: number;
  /**
   * If nothing arrives for this long (no message, no pong), or a connection attempt
   * has not opened by then, the socket is dropped and the transport reconnects, in ms
   * (default 25000; 0 never). Must exceed `pingMs`.
   */
  readonly idleMs?: number;
  /**
   * Called when a socket closes, with the close code and reason (a server's
   * `4401` token expired, `4403` revoked, `4404` document deleted, `1012` restarting;
   * 1006 when the connection failed or was cut). The transport reconnects unless the
   * code ends it ({@link WebSocketEnd}); calling `close()` here stops it after any code.
   */
  readonly onClose?: (code: number, reason: string) => void;
  /** Called once if the server ends the transport ({@link WebSocketEnd}): it will not reconnect. */
  readonly onEnd?: (end: WebSocketEnd) => void;
}

/**
 * Why a {@link WebSocketTransport} stopped for good: the server closed its socket with
 * a code after which reconnecting would do harm or cannot succeed.
 * - `4404` (the document was deleted): reconnecting would write the client's copy back;
 * - `4403` (the identity was revoked);
 * - `4401` (the token expired), only when the transport's `url` is a string, which would
 *   present the same token again. With a `url` function the transport reconnects: the
 *   function is called before each attempt and can return a fresh token (if it cannot,
 *   call `close()` in `onClose` on `4401`, and connect a new transport once signed in).
 *
 * @example
 * ```ts
 * import type { WebSocketEnd } from '@convergent/sync';
 *
 * const end: WebSocketEnd = { code: 4404, reason: 'document deleted' };
 * const message = end.code === 4404 ? 'This document was deleted.' : 'Please sign in again.';
 * message; // => 'This document was deleted.'
 * ```
 */
export interface WebSocketEnd {
  /** The close code: `4401` token expired, `4403` revoked, `4404` document deleted. */
  readonly code: 4401 | 4403 | 4404;
  /** The close reason the server gave. */
  readonly reason: string;
}

/** The close codes that end a transport ({@link WebSocketEnd}); 4401 only without a `url` function. */
function ends(code: number, urlFunction: boolean): code is WebSocketEnd['code'] {
  return code === 4403 || code === 4404 || (code === 4401 && !urlFunction);
}

/** Sets a timer that does not keep a Node process alive. */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * A {@link Transport} over one WebSocket to a relay ({@link startRelay}), or to a
 * server speaking the relay's frames. Each message travels in a small binary frame
 * carrying the sending replica id (once per connection and id, so the relay learns
 * where each replica is) and, for an answer meant for one replica, its addressee.
 * It pings the relay every `pingMs` and drops a socket on which nothing has arrived
 * for `idleMs` (browsers cannot send WebSocket pings, so these are frames of our
 * own); after a socket closes it reconnects with jittered exponential back-off, and
 * reports the link up each time it opens, so the replica syncs and catches up on
 * what it missed; unless the server ended it ({@link WebSocketTransport.ended}: the
 * document was deleted, the identity revoked, or a fixed URL's token expired). Timers do not keep a Node process alive. In browsers it uses the
 * global `WebSocket`; in Node 20 pass `WebSocket` from the `ws` package.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import { Replica, WebSocketTransport, type WebSocketLike } from '@convergent/sync';
 *
 * // A stand-in for `WebSocket` whose "server" forwards each frame to every other socket.
 * const sockets: FakeSocket[] = [];
 * class FakeSocket implements WebSocketLike {
 *   binaryType = 'blob';
 *   readyState = 0;
 *   private listeners = new Map<string, Array<(event: object) => void>>();
 *   constructor(readonly url: string) {
 *     sockets.push(this);
 *     queueMicrotask(() => { this.readyState = 1; this.emit('open', {}); });
 *   }
 *   send(data: Uint8Array) { for (const s of sockets) if (s !== this) s.emit('message', { data: data.slice().buffer }); }
 *   close() { this.readyState = 3; this.emit('close', {}); }
 *   addEventListener(type: string, listener: (event: object) => void) { this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]); }
 *   emit(type: string, event: object) { for (const l of this.listeners.get(type) ?? []) l(event); }
 * }
 *
 * const links = [0, 1].map(() => new WebSocketTransport('ws://relay.example/likes', { WebSocket: FakeSocket }));
 * const [a, b] = ['a', 'b'].map((id) => new Replica({ id: asReplicaId(id), type: GCounter }));
 * a!.connect(links[0]!);
 * b!.connect(links[1]!);
 * await Promise.all(links.map((link) => link.opened));
 * a!.update((state, id) => GCounter.increment(state, id, 4));
 * GCounter.value(b!.state); // => 4
 * links.forEach((link) => link.close());
 * ```
 */
export class WebSocketTransport implements Transport {
  private readonly url: string | (() => string);
  private readonly onClose: (code: number, reason: string) => void;
  private readonly onEnd: (end: WebSocketEnd) => void;
  private end: WebSocketEnd | undefined;
  private readonly Socket: WebSocketConstructor;
  private readonly reconnectMs: number;
  private readonly maxReconnectMs: number;
  private readonly pingMs: number;
  private readonly idleMs: number;
  private readonly handlers = new Set<TransportHandlers>();
  private socket: WebSocketLike | undefined;
  /** Failed attempts since the last connection opened. */
  private failures = 0;
  private reconnect: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /** When the current socket last heard anything (or was created). */
  private heard = 0;
  /** Replica ids the relay has been told about on the current socket. */
  private announced = new Set<ReplicaId>();
  private closed = false;
  private up = false;
  private resolveOpened: () => void = () => {};
  /** Resolves the first time the socket opens. */
  readonly opened: Promise<void>;

  /**
   * Connects at once.
   * @param url - `ws://` or `wss://` address of the relay (its path selects a room),
   * or a function called before each connection attempt (a URL with a fresh token)
   * @param options - WebSocket constructor, reconnection back-off and liveness timers
   */
  constructor(url: string | (() => string), options: WebSocketTransportOptions = {}) {
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof Socket !== 'function') throw new TypeError('no WebSocket in this environment: pass options.WebSocket (e.g. from ws)');
    this.url = url;
    this.onClose = options.onClose ?? (() => {});
    this.onEnd = options.onEnd ?? (() => {});
    this.Socket = Socket;
    this.reconnectMs = options.reconnectMs ?? 1000;
    this.maxReconnectMs = options.maxReconnectMs ?? 30_000;
    this.pingMs = options.pingMs ?? 10_000;
    this.idleMs = options.idleMs ?? 25_000;
    if (!(this.pingMs > 0)) throw new RangeError('pingMs must be positive');
    if (!(this.idleMs === 0 || this.idleMs > this.pingMs)) throw new RangeError('idleMs must be 0 or exceed pingMs');
    this.opened = new Promise((resolve) => (this.resolveOpened = resolve));
    this.open();
  }

  /** Whether the socket is open now. */
  get connected(): boolean {
    return this.up;
  }

  /**
   * Why the server ended this transport, once it has (it then never reconnects);
   * `undefined` while it runs or reconnects, or if the app closed it first.
   *
   * @example
   * ```ts
   * import { WebSocketTransport, type WebSocketLike } from '@convergent/sync';
   *
   * // A socket whose server deletes the document as soon as it opens.
   * class Deleted implements WebSocketLike {
   *   static opened = 0;
   *   binaryType = 'blob';
   *   readyState = 0;
   *   private listeners: Array<[string, (event: object) => void]> = [];
   *   constructor(readonly url: string) {
   *     Deleted.opened++;
   *     queueMicrotask(() => this.emit('close', { code: 4404, reason: 'document deleted' }));
   *   }
   *   send() {}
   *   close() {}
   *   addEventListener(type: string, listener: (event: object) => void) { this.listeners.push([type, listener]); }
   *   emit(type: string, event: object) { for (const [t, l] of this.listeners) if (t === type) l(event); }
   * }
   *
   * const link = new WebSocketTransport('ws://server.example/notes', { WebSocket: Deleted, reconnectMs: 1 });
   * await new Promise((resolve) => setTimeout(resolve, 20));
   * link.ended; // => { code: 4404, reason: 'document deleted' }
   * Deleted.opened; // => 1
   * ```
   */
  get ended(): WebSocketEnd | undefined {
    return this.end;
  }

  /**
   * Sends a message if the socket is open (else the message is lost, and the sync on
   * reconnection repairs it).
   * @param bytes - the message
   * @param options - the sending replica, told to the relay once per connection, and
   * the addressee, to which the relay then delivers the message alone
   */
  send(bytes: Uint8Array, options: SendOptions = {}): void {
    const socket = this.socket;
    if (!this.up || socket?.readyState !== 1) return;
    const from = options.from !== undefined && !this.announced.has(options.from) ? options.from : undefined;
    if (from !== undefined) this.announced.add(from);
    socket.send(encodeDataFrame(bytes, from, options.to));
  }

  /**
   * Delivers incoming messages and status changes to `handlers`.
   * @param handlers - the listener
   * @returns a function that stops delivery
   */
  listen(handlers: TransportHandlers): () => void {
    this.handlers.add(handlers);
    return () => this.handlers.delete(handlers);
  }

  /** Closes the socket for good: no more reconnection. */
  close(): void {
    this.closed = true;
    clearTimeout(this.reconnect);
    clearInterval(this.heartbeat);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
    this.setUp(false);
  }

  private open(): void {
    const socket = new this.Socket(typeof this.url === 'string' ? this.url : this.url());
    this.socket = socket;
    this.heard = Date.now();
    this.announced = new Set();
    this.heartbeat ??= unref(setInterval(() => this.beat(), this.pingMs));
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      this.heard = Date.now();
      this.failures = 0;
      this.resolveOpened();
      this.setUp(true);
    });
    socket.addEventListener('message', (event) => {
      if (this.socket !== socket) return;
      this.heard = Date.now();
      const data = (event as { data?: unknown }).data;
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : undefined;
      if (bytes === undefined) return;
      let frame: RelayFrame;
      try {
        frame = decodeFrame(bytes);
      } catch {
        return; // not from a relay: nothing to deliver
      }
      if (frame.kind === 'data') for (const h of [...this.handlers]) h.message(frame.payload);
    });
    socket.addEventListener('error', () => {});
    socket.addEventListener('close', (event) => {
      const fields = event as { code?: unknown; reason?: unknown };
      const code = typeof fields.code === 'number' ? fields.code : 1006;
      const reason = typeof fields.reason === 'string' ? fields.reason : '';
      const current = this.socket === socket;
      if (current) this.onClose(code, reason);
      // Not when the app closed the transport meanwhile (in onClose, say).
      const end = current && !this.closed && ends(code, typeof this.url !== 'string') ? { code, reason } : undefined;
      if (end) {
        this.end = end;
        this.closed = true;
      }
      this.lost(socket);
      if (end) this.onEnd(end);
    });
  }

  /** Every `pingMs`: gives up on a silent socket, else pings through it. */
  private beat(): void {
    const socket = this.socket;
    if (socket === undefined) return;
    if (this.idleMs > 0 && Date.now() - this.heard >= this.idleMs) {
      this.lost(socket);
      if (socket.terminate) socket.terminate();
      else socket.close();
    } else if (this.up && socket.readyState === 1) socket.send(PING_FRAME);
  }

  /** Forgets a socket that closed or went silent, and schedules the next attempt. */
  private lost(socket: WebSocketLike): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.setUp(false);
    if (this.closed || this.reconnectMs <= 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
      return;
    }
    const ceiling = Math.min(this.maxReconnectMs, this.reconnectMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    this.reconnect = unref(
      setTimeout(() => {
        this.reconnect = undefined;
        if (!this.closed) this.open();
      }, Math.random() * ceiling),
    );
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    for (const h of [...this.handlers]) h.status(up);
  }
}
