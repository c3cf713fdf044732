// WebSocketTransport's framing, heartbeat, idle timeout and back-off, against a
// scripted socket and fake timers: no network, no wall clock.
import { asReplicaId } from '@convergent/core';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { WebSocketTransport, type WebSocketLike } from '../src/index.js';
import { decodeFrame, encodeDataFrame, PING_FRAME, PONG_FRAME } from '../src/relay-frame.js';

/** A socket the test drives: it opens, delivers and closes when told to. */
class ScriptedSocket implements WebSocketLike {
  static all: ScriptedSocket[] = [];
  binaryType = 'blob';
  readyState = 0;
  sent: Uint8Array[] = [];
  terminated = false;
  private listeners = new Map<string, Array<(event: object) => void>>();
  constructor(readonly url: string) {
    ScriptedSocket.all.push(this);
  }
  send(data: Uint8Array) {
    this.sent.push(data.slice());
  }
  close(code?: number, reason?: string) {
    this.readyState = 3;
    this.emit('close', code === undefined ? {} : { code, reason });
  }
  terminate() {
    this.terminated = true;
    this.close();
  }
  addEventListener(type: string, listener: (event: object) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  open() {
    this.readyState = 1;
    this.emit('open', {});
  }
  receive(bytes: Uint8Array) {
    this.emit('message', { data: bytes.slice().buffer });
  }
  private emit(type: string, event: object) {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }
}
const last = () => ScriptedSocket.all[ScriptedSocket.all.length - 1]!;

let links: WebSocketTransport[] = [];
function transport(options: ConstructorParameters<typeof WebSocketTransport>[1] = {}) {
  const link = new WebSocketTransport('ws://relay.test/room', { WebSocket: ScriptedSocket, ...options });
  links.push(link);
  const got: number[][] = [];
  const status: boolean[] = [];
  link.listen({ message: (bytes) => got.push([...bytes]), status: (up) => status.push(up) });
  return { link, got, status };
}

beforeEach(() => {
  vi.useFakeTimers();
  ScriptedSocket.all = [];
});
afterEach(() => {
  links.forEach((l) => l.close());
  links = [];
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('WebSocketTransport framing', () => {
  test('tells the relay each sender once per connection, and every addressee', () => {
    const { link } = transport();
    last().open();
    const [a, b] = [asReplicaId('a'), asReplicaId('b')];
    link.send(Uint8Array.of(1), { from: a });
    link.send(Uint8Array.of(2), { from: a, to: b });
    link.send(Uint8Array.of(3));
    expect(last().sent.map((f) => decodeFrame(f))).toEqual([
      { kind: 'data', from: a, to: undefined, payload: Uint8Array.of(1) },
      { kind: 'data', from: undefined, to: b, payload: Uint8Array.of(2) },
      { kind: 'data', from: undefined, to: undefined, payload: Uint8Array.of(3) },
    ]);
    vi.spyOn(Math, 'random').mockReturnValue(0);
    last().close();
    vi.advanceTimersByTime(0);
    last().open();
    link.send(Uint8Array.of(4), { from: a });
    expect(decodeFrame(last().sent[0]!)).toMatchObject({ from: a });
  });

  test('delivers the payload of data frames only: pongs and foreign frames are not messages', () => {
    const { got } = transport();
    last().open();
    last().receive(encodeDataFrame(Uint8Array.of(5, 6), asReplicaId('x'), asReplicaId('y')));
    last().receive(PONG_FRAME);
    last().receive(Uint8Array.of(1, 2, 3));
    expect(got).toEqual([[5, 6]]);
  });

  test('asks a url function for the address of every attempt, and reports each close code', () => {
    let token = 0;
    const closes: Array<[number, string]> = [];
    const link = new WebSocketTransport(() => `ws://server.test/doc?token=${++token}`, { WebSocket: ScriptedSocket, onClose: (code, reason) => closes.push([code, reason]) });
    links.push(link);
    expect(last().url).toBe('ws://server.test/doc?token=1');
    last().open();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    last().close(4401, 'token expired');
    vi.advanceTimersByTime(0);
    expect(last().url).toBe('ws://server.test/doc?token=2');
    last().close(); // a failed attempt: no code
    expect(closes).toEqual([
      [4401, 'token expired'],
      [1006, ''],
    ]);
  });

  test('stops for good on 4404 and 4403, and on 4401 when the url is fixed; tells why once', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    for (const [code, reason] of [[4404, 'document deleted'], [4403, 'revoked'], [4401, 'token expired']] as const) {
      const ends: unknown[] = [];
      const { link, status } = transport({ onEnd: (end) => ends.push(end) });
      const sockets = ScriptedSocket.all.length;
      last().open();
      last().close(code, reason);
      vi.advanceTimersByTime(60_000);
      expect(ScriptedSocket.all.length).toBe(sockets);
      expect(link.ended).toEqual({ code, reason });
      expect(ends).toEqual([{ code, reason }]);
      expect(status).toEqual([true, false]);
      expect(link.connected).toBe(false);
    }
  });

  test('reconnects after 4401 with a url function, after a restart (1012) and a cut (1006); close() in onClose stops it', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const link = new WebSocketTransport(() => 'ws://server.test/doc', { WebSocket: ScriptedSocket });
    links.push(link);
    for (const code of [4401, 1012, undefined]) {
      const sockets = ScriptedSocket.all.length;
      last().open();
      last().close(code, 'bye');
      vi.advanceTimersByTime(0);
      expect(ScriptedSocket.all.length).toBe(sockets + 1);
    }
    expect(link.ended).toBe(undefined);
    link.close();
    const stopping: WebSocketTransport = new WebSocketTransport('ws://server.test/doc', { WebSocket: ScriptedSocket, onClose: () => stopping.close() });
    links.push(stopping);
    const sockets = ScriptedSocket.all.length;
    last().open();
    last().close(1012, 'restart');
    vi.advanceTimersByTime(60_000);
    expect(ScriptedSocket.all.length).toBe(sockets);
    expect(stopping.ended).toBe(undefined);
  });

  test('nothing is sent while the socket is not open', () => {
    const { link } = transport();
    link.send(Uint8Array.of(1));
    expect(last().sent).toEqual([]);
  });

  test('rejects an idle timeout not longer than the ping interval', () => {
    expect(() => new WebSocketTransport('ws://x', { WebSocket: ScriptedSocket, pingMs: 100, idleMs: 100 })).toThrow(RangeError);
    expect(() => new WebSocketTransport('ws://x', { WebSocket: ScriptedSocket, pingMs: 0 })).toThrow(RangeError);
  });
});

describe('WebSocketTransport liveness', () => {
  test('pings every pingMs; stays up while frames arrive; drops the socket after idleMs of silence and reconnects', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { link, status } = transport({ pingMs: 100, idleMs: 250, reconnectMs: 40 });
    last().open();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(100);
      last().receive(PONG_FRAME);
    }
    expect(last().sent.filter((f) => f.length === 2 && f[1] === PING_FRAME[1])).toHaveLength(10);
    expect(link.connected).toBe(true);
    const frozen = last();
    vi.advanceTimersByTime(300); // silence: the check at 300 ms since the last pong gives up
    expect(frozen.terminated).toBe(true);
    expect(link.connected).toBe(false);
    expect(ScriptedSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(20); // 0.5 * 40
    expect(ScriptedSocket.all).toHaveLength(2);
    last().open();
    expect(status).toEqual([true, false, true]);
  });

  test('a connection attempt that does not open within idleMs is abandoned', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    transport({ pingMs: 100, idleMs: 250 });
    const stuck = last();
    vi.advanceTimersByTime(300);
    expect(stuck.terminated).toBe(true);
    vi.advanceTimersByTime(1);
    expect(ScriptedSocket.all).toHaveLength(2);
  });

  test('idleMs 0 never gives up on a socket', () => {
    const { link } = transport({ pingMs: 100, idleMs: 0 });
    last().open();
    vi.advanceTimersByTime(60_000);
    expect(link.connected).toBe(true);
    expect(ScriptedSocket.all).toHaveLength(1);
  });
});

describe('WebSocketTransport back-off', () => {
  test('waits random() * min(cap, base * 2^failures), and starts over after a connection opens', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    transport({ reconnectMs: 100, maxReconnectMs: 1000, idleMs: 0 });
    const waits: number[] = [];
    const waitForNext = () => {
      const before = ScriptedSocket.all.length;
      let waited = 0;
      while (ScriptedSocket.all.length === before) {
        vi.advanceTimersByTime(1);
        waited++;
      }
      waits.push(waited);
    };
    for (let i = 0; i < 6; i++) {
      last().close();
      waitForNext();
    }
    expect(waits).toEqual([50, 100, 200, 400, 500, 500]);
    last().open();
    last().close();
    waitForNext();
    expect(waits.at(-1)).toBe(50);
    random.mockReturnValue(0.1);
    last().close();
    waitForNext();
    expect(waits.at(-1)).toBe(20); // 0.1 * 200: spread, not in lockstep
  });

  test('reconnectMs 0 never reconnects, and close stops everything', () => {
    const { link } = transport({ reconnectMs: 0 });
    last().open();
    last().close();
    vi.advanceTimersByTime(120_000);
    expect(ScriptedSocket.all).toHaveLength(1);
    const other = transport();
    last().open();
    other.link.close();
    vi.advanceTimersByTime(120_000);
    expect(ScriptedSocket.all).toHaveLength(2);
    expect(link.connected || other.link.connected).toBe(false);
  });
});
