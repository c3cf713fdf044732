import { asReplicaId, DecodeError } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import { describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { BroadcastChannelTransport, Replica, startRelay, WebSocketTransport, type Relay, type SyncAdapter } from '../src/index.js';
import { encodeDataFrame } from '../src/relay-frame.js';
import { causalGCounter } from './support/types.js';
import { cleanupAfterEach, sleep, until } from './support/async.js';

const cleanup = cleanupAfterEach();

describe('BroadcastChannel', () => {
  test('three replicas on one channel converge, including one that was offline', async () => {
    const name = `bc-test-${Math.random()}`;
    const links = [0, 1, 2].map(() => new BroadcastChannelTransport(name));
    cleanup.push(() => links.forEach((l) => l.close()));
    const replicas = ['a', 'b', 'c'].map((id) => new Replica({ id: asReplicaId(id), type: causalGCounter }));
    const offline = replicas.map((r, i) => r.connect(links[i]!));
    offline[2]!();
    replicas.forEach((r, i) => r.update((s, id) => GCounter.increment(s, id, i + 1)));
    await until(() => GCounter.value(replicas[0]!.state) === 3 && GCounter.value(replicas[1]!.state) === 3, 'a and b');
    expect(GCounter.value(replicas[2]!.state)).toBe(3); // only its own edit
    replicas[2]!.connect(links[2]!);
    await until(() => replicas.every((r) => GCounter.value(r.state) === 6), 'all three');
  });

  test('a non-byte message on the channel is ignored', async () => {
    const name = `bc-test-${Math.random()}`;
    const link = new BroadcastChannelTransport(name);
    const raw = new BroadcastChannel(name);
    cleanup.push(() => { link.close(); raw.close(); });
    const got: Uint8Array[] = [];
    link.listen({ message: (b) => got.push(b), status: () => {} });
    raw.postMessage('hello');
    raw.postMessage(new Uint8Array([1]).buffer);
    await until(() => got.length === 1, 'the ArrayBuffer');
    expect(Array.from(got[0]!)).toEqual([1]);
  });
});

describe('WebSocket relay on 127.0.0.1', () => {
  let relay: Relay;

  for (const [name, type] of [['full state', GCounter], ['causal', causalGCounter]] as Array<[string, SyncAdapter<GCounter.GCounter>]>) {
    test(`${name}: four clients edit concurrently, one drops and reconnects, all converge`, async () => {
      relay = await startRelay({ host: '127.0.0.1', port: 0 });
      cleanup.push(() => relay.close());
      const ids = ['w', 'x', 'y', 'z'];
      const errors: unknown[] = [];
      const replicas = ids.map((id) => new Replica({ id: asReplicaId(id), type, doc: 'likes', onError: (e) => errors.push(e) }));
      let links = ids.map(() => new WebSocketTransport(`${relay.url}/room-1`, { WebSocket, reconnectMs: 50 }));
      cleanup.push(() => links.forEach((l) => l.close()));
      replicas.forEach((r, i) => r.connect(links[i]!));
      await Promise.all(links.map((l) => l.opened));
      await until(() => relay.clients === 4, 'four connections');

      // Everyone edits concurrently.
      const editing = replicas.map(async (r) => {
        for (let k = 0; k < 20; k++) {
          r.update((s, id) => GCounter.increment(s, id, 1));
          await sleep(Math.random() * 5);
        }
      });
      // Meanwhile z drops off (its transport closes), keeps editing offline, then reconnects with a new socket.
      await sleep(20);
      const z = replicas[3]!;
      z.disconnect(links[3]!);
      links[3]!.close();
      await Promise.all(editing);
      for (let k = 0; k < 10; k++) z.update((s, id) => GCounter.increment(s, id, 1));
      await sleep(50);
      expect(GCounter.value(replicas[0]!.state)).toBeLessThan(90);
      links = [...links.slice(0, 3), new WebSocketTransport(`${relay.url}/room-1`, { WebSocket, reconnectMs: 50 })];
      z.connect(links[3]!);
      await until(() => replicas.every((r) => GCounter.value(r.state) === 90), 'convergence after z reconnects');

      // The relay cuts everyone; the transports reconnect by themselves and catch up.
      // (With jittered back-off a link may be back within a millisecond: watch each one go down.)
      const dropped = links.map(() => false);
      links.forEach((link, i) =>
        link.listen({
          message: () => {},
          status: (up) => {
            if (up || dropped[i]) return;
            dropped[i] = true;
            if (i === 1) replicas[1]!.update((s, id) => GCounter.increment(s, id, 5)); // not sent: its link is down
          },
        }),
      );
      relay.dropClients();
      await until(() => dropped.every(Boolean), 'the drop');
      await until(() => links.every((l) => l.connected), 'automatic reconnection');
      await until(() => replicas.every((r) => GCounter.value(r.state) === 95), 'convergence after the relay drop');
      expect(replicas.every((r) => GCounter.equals(r.state, replicas[0]!.state))).toBe(true);
      expect(errors).toEqual([]);
    });
  }

  test('rooms are separate, and a hostile client is rejected without harm', async () => {
    relay = await startRelay();
    cleanup.push(() => relay.close());
    const errors: unknown[] = [];
    const a = new Replica({ id: asReplicaId('a'), type: GCounter, onError: (e) => errors.push(e) });
    const b = new Replica({ id: asReplicaId('b'), type: GCounter });
    const la = new WebSocketTransport(`${relay.url}/one`, { WebSocket });
    const lb = new WebSocketTransport(`${relay.url}/two`, { WebSocket });
    cleanup.push(() => { la.close(); lb.close(); });
    a.connect(la);
    b.connect(lb);
    await Promise.all([la.opened, lb.opened]);
    const evil = new WebSocket(`${relay.url}/one`);
    cleanup.push(() => evil.close());
    await new Promise((resolve) => evil.once('open', resolve));
    b.update((s, id) => GCounter.increment(s, id, 1));
    evil.send(new Uint8Array([1, 2, 0xff, 0xff, 0xff])); // not even a relay frame: the relay drops it
    evil.send(encodeDataFrame(new Uint8Array([1, 2, 0xff, 0xff, 0xff]))); // a garbage message the replica rejects
    await until(() => errors.length === 1, 'the hostile message');
    expect(errors[0]).toBeInstanceOf(DecodeError);
    expect(relay.stats.rejected).toBe(1);
    await sleep(50);
    expect(GCounter.value(a.state)).toBe(0);
  });

  test('the relay closes connections that send text or oversized frames, and refuses past maxClients', async () => {
    relay = await startRelay({ maxMessageBytes: 1024, maxClients: 2 });
    cleanup.push(() => relay.close());
    const connect = async () => {
      const socket = new WebSocket(`${relay.url}/room`);
      cleanup.push(() => socket.terminate());
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      return socket;
    };
    const closed = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const texter = await connect();
    const texterClosed = closed(texter);
    texter.send('hello');
    expect(await texterClosed).toBe(1003);
    const big = await connect();
    const bigClosed = closed(big);
    big.send(new Uint8Array(2048));
    expect(await bigClosed).toBe(1009);
    await until(() => relay.clients === 0, 'the closes');
    await connect();
    await connect();
    await until(() => relay.clients === 2, 'two clients');
    const third = await connect();
    expect(await closed(third)).toBe(1013);
    expect(relay.clients).toBe(2);
  });
});
