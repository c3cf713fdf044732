// Every limit: connections (in all, per address), message and byte rates (per
// connection, per address), frame size, replica ids per connection, slow readers, idle
// sockets before and after authentication.
import { connect } from 'node:net';
import { asReplicaId } from '@convergent/core';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PING_FRAME, encodeDataFrame, encodeMessage } from '@convergent/sync';
import { BLOBS, cleanupAfterEach, client, server, sleep, until, upgradeStatus, type Blobs } from './support/harness.js';

const cleanup = cleanupAfterEach();

/** A bare WebSocket to the server, closed after the test; resolves once open. */
async function raw(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; closed: Promise<[number, string]> }> {
  const ws = new WebSocket(url, { headers });
  cleanup.push(() => ws.terminate());
  const closed = new Promise<[number, string]>((resolve) => ws.on('close', (code, reason) => resolve([code, reason.toString()])));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, closed };
}

describe('connection limits', () => {
  it('refuses connections past the per-address limit (429), and counts them back on close', async () => {
    const s = await server(cleanup, { limits: { maxConnectionsPerAddress: 2 } });
    const first = await raw(`${s.url}doc`);
    await raw(`${s.url}doc`);
    expect(await upgradeStatus(`${s.url}doc`)).toBe(429);
    first.ws.close();
    await first.closed;
    await until(() => s.health().connections === 1, 'the count to drop');
    expect(await upgradeStatus(`${s.url}doc`)).toBe(101);
  });

  it('refuses connections past the total (503), whatever their address', async () => {
    // Every test client is on 127.0.0.1: a header stands for the address here.
    const s = await server(cleanup, { limits: { maxConnectionsPerAddress: 2, maxConnections: 3 }, address: (request) => String(request.headers['x-client']) });
    for (const who of ['a', 'a', 'b']) await raw(`${s.url}doc`, { 'x-client': who });
    expect(await upgradeStatus(`${s.url}doc`, { 'x-client': 'c' })).toBe(503);
  });
});

describe('rate limits', () => {
  it('closes a connection that sends more messages per second than allowed (1008 rate)', async () => {
    const s = await server(cleanup, { limits: { messagesPerSecond: 5 } });
    const { ws, closed } = await raw(`${s.url}doc`);
    for (let i = 0; i < 40; i++) ws.send(PING_FRAME);
    expect(await closed).toEqual([1008, 'rate']);
  });

  it('closes a connection that sends more bytes per second than allowed', async () => {
    const s = await server(cleanup, { limits: { bytesPerSecond: 1000 } });
    const { ws, closed } = await raw(`${s.url}doc`);
    ws.send(encodeDataFrame(new Uint8Array(5000)));
    expect(await closed).toEqual([1008, 'rate']);
  });

  it('counts every connection of an address against its shared rate', async () => {
    const s = await server(cleanup, { limits: { messagesPerSecond: 1000, messagesPerSecondPerAddress: 5 } });
    const a = await raw(`${s.url}doc`);
    const b = await raw(`${s.url}doc`);
    for (let i = 0; i < 15; i++) a.ws.send(PING_FRAME);
    await sleep(100);
    for (let i = 0; i < 15; i++) b.ws.send(PING_FRAME);
    expect(await b.closed).toEqual([1008, 'rate']);
  });
});

describe('size limits', () => {
  it('closes a connection that sends a frame past maxMessageBytes (1009)', async () => {
    const s = await server(cleanup, { limits: { maxMessageBytes: 1000 } });
    const { ws, closed } = await raw(`${s.url}doc`);
    ws.send(encodeDataFrame(new Uint8Array(2000)));
    expect((await closed)[0]).toBe(1009);
  });

  it('closes a connection that uses more replica ids than allowed', async () => {
    const s = await server(cleanup, { limits: { maxReplicasPerConnection: 2 } });
    const { ws, closed } = await raw(`${s.url}doc`);
    await until(() => s.health().documents === 1, 'the document to load');
    for (const id of ['r1', 'r2', 'r3'])
      ws.send(encodeDataFrame(encodeMessage({ kind: 'sync', doc: 'doc', from: asReplicaId(id), to: undefined, seen: new Map(), digest: undefined, ask: false, nonce: undefined })));
    expect(await closed).toEqual([1008, 'too many replica ids']);
  });
});

describe('slow readers', () => {
  it('cuts a client that does not read, instead of queueing for it without bound', async () => {
    const s = await server(cleanup, { documents: () => BLOBS, limits: { maxQueuedBytes: 1 << 16, bytesPerSecond: 1 << 30, bytesPerSecondPerAddress: 1 << 30 } });
    const reader = await raw(`${s.url}doc`);
    await until(() => s.health().documents === 1, 'the document to load');
    (reader.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const writer = client<Blobs>(cleanup, s.url, 'doc', '', { type: BLOBS, deltaLog: false, id: 'w' });
    await writer.link.opened;
    const chunk = 'x'.repeat(1 << 19);
    for (let i = 0; i < 60 && !s.metrics().includes('reason="slow-reader"'); i++) {
      writer.replica.update((state) => new Map([[`w/${i}`, chunk]]));
      await sleep(5);
    }
    await until(() => s.metrics().includes('reason="slow-reader"'), 'the slow reader to be cut');
    expect(s.logs.some((e) => e.event === 'closed' && e.reason === 'slow-reader')).toBe(true);
    await until(() => s.health().connections === 1, 'only the writer left');
  });
});

describe('idle sockets', () => {
  it('drops a TCP connection that never completes its upgrade request', async () => {
    const s = await server(cleanup, { limits: { authTimeoutMs: 300 } });
    const socket = connect(s.port, '127.0.0.1');
    cleanup.push(() => socket.destroy());
    socket.write('GET /doc HTTP/1.1\r\nHost: x\r\n'); // and never the rest
    socket.resume();
    const started = Date.now();
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('cuts a connection that sends nothing, not even a ping, for idleMs', async () => {
    const s = await server(cleanup, { limits: { idleMs: 200 } });
    const { closed } = await raw(`${s.url}doc`);
    expect((await closed)[0]).toBe(1006);
    expect(s.metrics()).toMatch(/reason="idle"\} 1\n/);
  });
});
