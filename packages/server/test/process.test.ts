// Real clients in their own processes, over real WebSockets.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/index.js';
import { cleanupAfterEach, outliving, server } from './support/harness.js';

const cleanup = cleanupAfterEach();
const here = fileURLToPath(new URL('.', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

function clientProcess(url: string, doc: string, clients: number, chars: number, expected: number): Promise<{ texts: string[]; acked: number[] }> {
  return new Promise((resolve, reject) => {
    execFile(tsx, ['--conditions=@convergent/source', `${here}support/client-process.ts`, url, doc, String(clients), String(chars), String(expected)], { cwd: `${here}..`, timeout: 50_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

describe('clients in child processes', () => {
  it('three processes of two clients each converge through the server, every change acknowledged and stored', async () => {
    const store = new MemoryStore();
    const s = await server(cleanup, { store: outliving(store), compactEvery: 50 });
    const results = await Promise.all([0, 1, 2].map(() => clientProcess(s.url, 'shared', 2, 20, 120)));
    const texts = results.flatMap((r) => r.texts);
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]!.length).toBe(120);
    expect(results.flatMap((r) => r.acked)).toEqual(Array(6).fill(20));
    await s.close();
    // What the store holds is the same document.
    const again = await server(cleanup, { store: outliving(store) });
    const { texts: reloaded } = await clientProcess(again.url, 'shared', 1, 0, 120);
    expect(reloaded[0]).toBe(texts[0]);
  });
});
