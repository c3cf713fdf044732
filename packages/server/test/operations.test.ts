// Health, metrics, logs, graceful shutdown, and a server attached to the user's own
// HTTP server under a mounted path.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowAnyone, jsonLines, MemoryStore, startServer, type LogEntry } from '../src/index.js';
import { cleanupAfterEach, client, outliving, server, TEXT, textOf, typeText, until, upgradeStatus } from './support/harness.js';

const cleanup = cleanupAfterEach();
const http = (url: string) => url.replace(/^ws/, 'http');

describe('health and metrics', () => {
  it('serves health as JSON and metrics in the Prometheus text format', async () => {
    const s = await server(cleanup);
    const a = client(cleanup, s.url, 'notes');
    await a.link.opened;
    typeText(a.replica, 'x');
    await until(() => a.replica.acknowledged.size === 1, 'the ack');
    const health = await fetch(new URL('/health', http(s.url)));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', connections: 1, documents: 1 });
    const metrics = await fetch(new URL('/metrics', http(s.url)));
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    for (const line of ['convergent_connections 1', 'convergent_documents_loaded 1', '# TYPE convergent_store_seconds summary', 'convergent_store_seconds_count{op="append"} 1', 'convergent_store_seconds_count{op="load"} 1'])
      expect(text).toContain(`${line}\n`);
    expect(text).toMatch(/convergent_messages_received_total [1-9]/);
    expect(text).toMatch(/convergent_bytes_sent_total [1-9]/);
    // Every sample line is `name{labels} number`.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{[a-z]+="[^"]*"\})? [0-9.e+-]+$/);
    expect((await fetch(new URL('/elsewhere', http(s.url)))).status).toBe(404);
  });
});

describe('options', () => {
  it('refuses bad numbers with a RangeError before listening', async () => {
    const base = { documents: () => TEXT, authenticate: allowAnyone, logger: () => {} };
    await expect(startServer({ ...base, unloadMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(startServer({ ...base, compactEvery: 0.5 })).rejects.toBeInstanceOf(RangeError);
    await expect(startServer({ ...base, limits: { maxConnections: 0 } })).rejects.toBeInstanceOf(RangeError);
    await expect(startServer({ ...base, path: 'no-slash' })).rejects.toBeInstanceOf(RangeError);
    await expect(startServer({ ...base, store: new MemoryStore(), directory: 'x' })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('the default store', () => {
  it('is LevelDB in `directory` (created if missing): documents survive a restart', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'convergent-default-'));
    cleanup.push(() => rmSync(parent, { recursive: true, force: true }));
    const directory = join(parent, 'data', 'nested');
    const first = await server(cleanup, { directory });
    const a = client(cleanup, first.url, 'notes');
    typeText(a.replica, 'kept');
    await until(() => a.replica.acknowledged.size === 1, 'the ack');
    a.replica.close();
    a.link.close();
    await first.close();
    const second = await server(cleanup, { directory });
    const b = client(cleanup, second.url, 'notes');
    await until(() => textOf(b.replica) === 'kept', 'the text back from disk');
  });

  it('releases the folder when listening fails, so that a retry opens it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'convergent-default-'));
    cleanup.push(() => rmSync(directory, { recursive: true, force: true }));
    const taken = await server(cleanup);
    await expect(server(cleanup, { directory, port: taken.port })).rejects.toThrow(/EADDRINUSE/);
    await server(cleanup, { directory });
  });
});

describe('logs', () => {
  it('writes structured entries through the injected logger', async () => {
    const s = await server(cleanup);
    const a = client(cleanup, s.url, 'notes', '?user=alice');
    await a.link.opened;
    await until(() => s.logs.some((e) => e.event === 'connected'), 'the entry');
    const entry = s.logs.find((e) => e.event === 'connected') as LogEntry;
    expect(entry).toMatchObject({ level: 'info', document: 'notes', identity: 'alice', access: 'write' });
    expect(new Date(entry.time).getTime()).toBeGreaterThan(0);
    const lines: string[] = [];
    jsonLines('info', (line) => lines.push(line))({ time: 't', level: 'error', event: 'store-error', error: new RangeError('disk') });
    expect(JSON.parse(lines[0]!)).toEqual({ time: 't', level: 'error', event: 'store-error', error: { name: 'RangeError', message: 'disk' } });
  });
});

describe('graceful shutdown', () => {
  it('refuses new connections, closes clients with 1012, waits for the store and compacts every document', async () => {
    const store = new MemoryStore();
    let storeClosed = false;
    const s = await server(cleanup, { store: { ...outliving(store), close: async () => void (storeClosed = true) } });
    const a = client(cleanup, s.url, 'notes');
    await a.link.opened;
    typeText(a.replica, 'saved');
    await until(() => a.replica.acknowledged.size === 1, 'the ack');
    const closing = s.close();
    expect(s.health().status).toBe('closing');
    await closing;
    expect(storeClosed).toBe(true);
    await until(() => a.closes.length > 0, 'the close');
    expect(a.closes[0]).toEqual([1012, 'server restarting']);
    const stored = await store.load('notes');
    expect([stored.state !== undefined, stored.deltas.length]).toEqual([true, 0]);
    expect(await upgradeStatus(`${s.url}notes`)).toBe(0); // no longer listening
  });
});

describe('attached to an existing server', () => {
  it('serves documents under a mounted path and leaves other routes and upgrades to the app', async () => {
    const app = createServer((request, response) => {
      if (!attached.handleRequest(request, response)) response.writeHead(200).end('app');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => app.close(resolve)));
    const attached = await startServer({ server: app, path: '/sync', documents: () => TEXT, authenticate: allowAnyone, store: new MemoryStore(), logger: () => {} });
    cleanup.push(() => attached.close());
    expect(attached.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/sync\/$/);
    const a = client(cleanup, attached.url, 'notes');
    const b = client(cleanup, attached.url, 'notes');
    typeText(a.replica, 'mounted');
    await until(() => textOf(b.replica) === 'mounted', 'b to see a');
    const base = `http://127.0.0.1:${attached.port}`;
    expect(await (await fetch(`${base}/page`)).text()).toBe('app');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // An upgrade outside the path is the app's: the server leaves it alone.
    let seen = false;
    app.on('upgrade', (request, socket) => {
      if (request.url?.startsWith('/other')) {
        seen = true;
        socket.destroy();
      }
    });
    await upgradeStatus(`ws://127.0.0.1:${attached.port}/other`);
    expect(seen).toBe(true);
  });
});
