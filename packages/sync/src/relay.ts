import type { WebSocket } from 'ws';

// Loaded at run time under a computed name, so that bundlers for the browser never
// pull `ws` (an optional peer dependency) into a page that only uses the transports.
const WS_MODULE = 'ws';

/**
 * How to start a {@link startRelay | relay}.
 *
 * @example
 * ```ts
 * import type { RelayOptions } from '@convergent/sync';
 *
 * const options: RelayOptions = { host: '127.0.0.1', port: 0, maxClients: 50 };
 * options.maxClients; // => 50
 * ```
 */
export interface RelayOptions {
  /** Interface to listen on (default `'127.0.0.1'`). */
  readonly host?: string;
  /** Port (default 0: a free port chosen by the system). */
  readonly port?: number;
  /** Largest frame accepted; larger ones close the connection (default 16 MiB). */
  readonly maxMessageBytes?: number;
  /** Most simultaneous connections; more are refused (default 1000). */
  readonly maxClients?: number;
  /** A peer with more than this many bytes queued misses messages until it drains (default 64 MiB); its next sync repairs the gap. */
  readonly maxBufferedBytes?: number;
}

/**
 * A running relay.
 *
 * @example
 * ```ts
 * import { startRelay, type Relay } from '@convergent/sync';
 *
 * const relay: Relay = await startRelay();
 * relay.url.startsWith('ws://127.0.0.1:'); // => true
 * await relay.close();
 * ```
 */
export interface Relay {
  /** `ws://host:port`; append a path to choose a room. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Connections open now. */
  readonly clients: number;
  /** Cuts every connection (clients reconnect on their own): for tests and restarts. */
  dropClients(): void;
  /**
   * Stops listening and closes every connection.
   * @returns a promise that resolves once the server is closed
   */
  close(): Promise<void>;
}

/**
 * Starts a tiny relay server (Node only; needs the `ws` package installed): every binary frame a client sends
 * is forwarded unchanged to every other client connected to the same path (the
 * room). It keeps no state and parses nothing; replicas do all the validation and
 * catch up by syncing when they reconnect. Text frames and oversized frames close
 * the connection.
 *
 * @param options - address and limits
 * @returns the running relay, once it listens
 *
 * @example
 * ```ts
 * import { startRelay } from '@convergent/sync';
 *
 * const relay = await startRelay({ port: 0 });
 * relay.port > 0; // => true
 * relay.clients; // => 0
 * await relay.close();
 * ```
 */
export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const { WebSocketServer } = (await import(/* @vite-ignore */ WS_MODULE)) as typeof import('ws');
  const host = options.host ?? '127.0.0.1';
  const maxClients = options.maxClients ?? 1000;
  const maxBuffered = options.maxBufferedBytes ?? 1 << 26;
  const rooms = new Map<string, Set<WebSocket>>();
  const server = new WebSocketServer({ host, port: options.port ?? 0, maxPayload: options.maxMessageBytes ?? 1 << 24 });
  let count = 0;
  server.on('connection', (socket, request) => {
    if (count >= maxClients) {
      socket.close(1013, 'relay full');
      return;
    }
    count++;
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const room = rooms.get(path) ?? new Set<WebSocket>();
    rooms.set(path, room);
    room.add(socket);
    socket.on('message', (data, isBinary) => {
      if (!isBinary) {
        socket.close(1003, 'binary frames only');
        return;
      }
      for (const peer of room)
        if (peer !== socket && peer.readyState === peer.OPEN && peer.bufferedAmount <= maxBuffered) peer.send(data, { binary: true });
    });
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      count--;
      room.delete(socket);
      if (room.size === 0 && rooms.get(path) === room) rooms.delete(path);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `ws://${shownHost}:${port}`,
    port,
    get clients() {
      return count;
    },
    dropClients() {
      for (const client of server.clients) client.terminate();
    },
    close() {
      for (const client of server.clients) client.terminate();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
