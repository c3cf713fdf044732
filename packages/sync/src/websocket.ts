import type { Transport, TransportHandlers } from './transport.js';

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
 * How a {@link WebSocketTransport} connects.
 *
 * @example
 * ```ts
 * import type { WebSocketTransportOptions } from '@convergent/sync';
 *
 * const options: WebSocketTransportOptions = { reconnectMs: 500, maxReconnectMs: 10000 };
 * options.reconnectMs; // => 500
 * ```
 */
export interface WebSocketTransportOptions {
  /** The WebSocket constructor: default the global one (browsers); in Node pass `WebSocket` from `ws`. */
  readonly WebSocket?: WebSocketConstructor;
  /** First delay before reconnecting after the socket closes, in ms; doubles on each failure (default 1000; 0 never reconnects). */
  readonly reconnectMs?: number;
  /** Longest delay between reconnection attempts, in ms (default 30000). */
  readonly maxReconnectMs?: number;
}

/**
 * A {@link Transport} over one WebSocket to a relay ({@link startRelay}) or any
 * server that forwards binary frames between peers. It reconnects after the socket
 * closes, with exponential back-off, and reports the link up each time it opens, so
 * the replica syncs and catches up on what it missed. In browsers it uses the global
 * `WebSocket`; in Node 20 pass `WebSocket` from the `ws` package.
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
  private readonly url: string;
  private readonly Socket: WebSocketConstructor;
  private readonly reconnectMs: number;
  private readonly maxReconnectMs: number;
  private readonly handlers = new Set<TransportHandlers>();
  private socket: WebSocketLike | undefined;
  private delay: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private up = false;
  private resolveOpened: () => void = () => {};
  /** Resolves the first time the socket opens. */
  readonly opened: Promise<void>;

  /**
   * Connects at once.
   * @param url - `ws://` or `wss://` address of the relay (its path selects a room)
   * @param options - WebSocket constructor and reconnection delays
   */
  constructor(url: string, options: WebSocketTransportOptions = {}) {
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof Socket !== 'function') throw new TypeError('no WebSocket in this environment: pass options.WebSocket (e.g. from ws)');
    this.url = url;
    this.Socket = Socket;
    this.reconnectMs = options.reconnectMs ?? 1000;
    this.maxReconnectMs = options.maxReconnectMs ?? 30_000;
    this.delay = this.reconnectMs;
    this.opened = new Promise((resolve) => (this.resolveOpened = resolve));
    this.open();
  }

  /** Whether the socket is open now. */
  get connected(): boolean {
    return this.up;
  }

  /**
   * Sends a binary frame if the socket is open (else the message is lost, and the
   * sync on reconnection repairs it).
   * @param bytes - the message
   */
  send(bytes: Uint8Array): void {
    if (this.up && this.socket?.readyState === 1) this.socket.send(bytes);
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
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.socket?.close();
    this.setUp(false);
  }

  private open(): void {
    const socket = new this.Socket(this.url);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      this.delay = this.reconnectMs;
      this.resolveOpened();
      this.setUp(true);
    });
    socket.addEventListener('message', (event) => {
      if (this.socket !== socket) return;
      const data = (event as { data?: unknown }).data;
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : undefined;
      if (bytes === undefined) return;
      for (const h of [...this.handlers]) h.message(bytes);
    });
    socket.addEventListener('error', () => {});
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.setUp(false);
      if (this.closed || this.reconnectMs <= 0) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.closed) this.open();
      }, this.delay);
      this.delay = Math.min(this.delay * 2, this.maxReconnectMs);
    });
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    for (const h of [...this.handlers]) h.status(up);
  }
}
