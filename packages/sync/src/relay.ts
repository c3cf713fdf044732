import type { ReplicaId } from '@convergent/core';
import type { WebSocket } from 'ws';
import { decodeFrame, PONG_FRAME, type RelayFrame } from './relay-frame.js';

// Loaded at run time under a computed name, so that bundlers for the browser never
// pull `ws` (an optional peer dependency) into a page that only uses the transports.
const WS_MODULE = 'ws';

/** Most replica ids one connection may claim; further claims are ignored. */
const MAX_IDS_PER_CONNECTION = 64;

/**
 * How to start a {@link startRelay | relay}.
 *
 * @example
 * ```ts
 * import type { RelayOptions } from '@convergent/sync';
 *
 * const options: RelayOptions = { host: '127.0.0.1', port: 0, maxClients: 50, idleMs: 30_000 };
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
  /**
   * A client that sends nothing (not even a ping) for this long is cut, in ms
   * (default 30000; 0 never). {@link WebSocketTransport} pings every 10 s by default.
   */
  readonly idleMs?: number;
  /**
   * For tests and benchmarks: the probability that each delivery of a data frame is
   * lost (default 0). Pings and pongs are never dropped.
   */
  readonly drop?: number;
}

/**
 * What a {@link Relay} has done since it started.
 *
 * @example
 * ```ts
 * import type { RelayStats } from '@convergent/sync';
 *
 * const none: RelayStats = { received: 0, delivered: 0, bytesDelivered: 0, rejected: 0, dropped: 0, timedOut: 0 };
 * none.rejected; // => 0
 * ```
 */
export interface RelayStats {
  /** Data frames received from clients. */
  received: number;
  /** Data frames delivered, counted once per recipient. */
  delivered: number;
  /** Bytes of those deliveries. */
  bytesDelivered: number;
  /** Frames that were not a well-formed relay frame: dropped, the connection kept. */
  rejected: number;
  /** Deliveries skipped: the recipient's queue was full, or the `drop` option. */
  dropped: number;
  /** Connections cut for being silent longer than `idleMs`. */
  timedOut: number;
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
  /** Counters of what the relay did. */
  readonly stats: Readonly<RelayStats>;
  /** Cuts every connection (clients reconnect on their own): for tests and restarts. */
  dropClients(): void;
  /**
   * Stops listening and closes every connection.
   * @returns a promise that resolves once the server is closed
   */
  close(): Promise<void>;
}

/** One room (a URL path): its connections, and which connection holds each replica id. */
interface Room {
  readonly sockets: Set<WebSocket>;
  /** Replica id -> the connections that claimed it, in order; the first one holds it. */
  readonly claims: Map<ReplicaId, WebSocket[]>;
}

/**
 * Starts a tiny relay server (Node only; needs the `ws` package installed). Clients
 * ({@link WebSocketTransport}) join a room by the URL path and send small binary
 * frames: data (a replica's message, with the sending replica id and, for an answer
 * meant for one replica, its addressee), ping and pong.
 *
 * - **Routing.** The relay learns which connection each replica id is on from the
 *   `from` of the data frames it sends: the first connection to claim an id in a room
 *   keeps it for as long as it is open, then the next one that claimed it. A frame
 *   with an addressee goes to that connection alone (to every other connection while
 *   no one holds the id); any other frame goes to every other connection of the room.
 *   Nothing authenticates a claim: a client can claim an id before its owner does,
 *   and receive the owner's answers (the replica still checks what it merges). The
 *   server issue binds ids to authenticated identities.
 * - **Liveness.** It answers every ping with a pong, and cuts a client that has sent
 *   nothing for `idleMs`.
 * - **Hostile input.** A frame it cannot parse is dropped and counted
 *   ({@link RelayStats.rejected}); text frames and frames over `maxMessageBytes`
 *   close the connection. It keeps no document state: replicas validate the
 *   messages and catch up by syncing when they reconnect.
 *
 * @param options - address, limits and timeouts
 * @returns the running relay, once it listens
 *
 * @example
 * ```ts
 * import { startRelay } from '@convergent/sync';
 *
 * const relay = await startRelay({ port: 0 });
 * relay.port > 0; // => true
 * relay.clients; // => 0
 * relay.stats.delivered; // => 0
 * await relay.close();
 * ```
 */
export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const { WebSocketServer } = (await import(/* @vite-ignore */ WS_MODULE)) as typeof import('ws');
  const host = options.host ?? '127.0.0.1';
  const maxClients = options.maxClients ?? 1000;
  const maxBuffered = options.maxBufferedBytes ?? 1 << 26;
  const idleMs = options.idleMs ?? 30_000;
  const drop = options.drop ?? 0;
  if (!(drop >= 0 && drop < 1)) throw new RangeError('drop must be in [0, 1)');
  if (!(idleMs >= 0)) throw new RangeError('idleMs must be non-negative');
  const stats: RelayStats = { received: 0, delivered: 0, bytesDelivered: 0, rejected: 0, dropped: 0, timedOut: 0 };
  const rooms = new Map<string, Room>();
  const server = new WebSocketServer({ host, port: options.port ?? 0, maxPayload: options.maxMessageBytes ?? 1 << 24 });
  let count = 0;

  const deliver = (peer: WebSocket, data: Uint8Array) => {
    if (peer.readyState !== peer.OPEN || peer.bufferedAmount > maxBuffered || (drop > 0 && Math.random() < drop)) {
      stats.dropped++;
      return;
    }
    stats.delivered++;
    stats.bytesDelivered += data.length;
    peer.send(data, { binary: true });
  };

  const forward = (room: Room, socket: WebSocket, claimed: Set<ReplicaId>, frame: RelayFrame & { kind: 'data' }, data: Uint8Array) => {
    stats.received++;
    if (frame.from !== undefined && !claimed.has(frame.from) && claimed.size < MAX_IDS_PER_CONNECTION) {
      claimed.add(frame.from);
      const claimants = room.claims.get(frame.from) ?? [];
      claimants.push(socket);
      room.claims.set(frame.from, claimants);
    }
    const holder = frame.to === undefined ? undefined : room.claims.get(frame.to)?.[0];
    if (holder !== undefined) {
      if (holder !== socket) deliver(holder, data);
      return;
    }
    for (const peer of room.sockets) if (peer !== socket) deliver(peer, data);
  };

  server.on('connection', (socket, request) => {
    if (count >= maxClients) {
      socket.close(1013, 'relay full');
      return;
    }
    count++;
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const room = rooms.get(path) ?? { sockets: new Set<WebSocket>(), claims: new Map<ReplicaId, WebSocket[]>() };
    rooms.set(path, room);
    room.sockets.add(socket);
    const claimed = new Set<ReplicaId>();
    const idle =
      idleMs > 0
        ? setTimeout(() => {
            stats.timedOut++;
            socket.terminate();
          }, idleMs).unref()
        : undefined;
    socket.on('message', (data, isBinary) => {
      if (!isBinary) {
        socket.close(1003, 'binary frames only');
        return;
      }
      idle?.refresh();
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(Array.isArray(data) ? Buffer.concat(data) : data);
      let frame: RelayFrame;
      try {
        frame = decodeFrame(bytes);
      } catch {
        stats.rejected++;
        return;
      }
      if (frame.kind === 'ping') socket.send(PONG_FRAME, { binary: true });
      else if (frame.kind === 'data') forward(room, socket, claimed, frame, bytes);
    });
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      count--;
      if (idle !== undefined) clearTimeout(idle);
      room.sockets.delete(socket);
      for (const id of claimed) {
        const rest = room.claims.get(id)?.filter((s) => s !== socket) ?? [];
        if (rest.length > 0) room.claims.set(id, rest);
        else room.claims.delete(id);
      }
      if (room.sockets.size === 0 && rooms.get(path) === room) rooms.delete(path);
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
    stats,
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
