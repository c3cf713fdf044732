// A store operation that fails is logged, and the server acknowledges nothing it did
// not store: a failed append is made again before any later acknowledgement, since an
// acknowledgement covers everything of its author merged so far.
import { describe, expect, it } from 'vitest';
import { MemoryStore, type DocumentStore } from '../src/index.js';
import { cleanupAfterEach, client, server, textOf, typeText, until } from './support/harness.js';

const cleanup = cleanupAfterEach();

/**
 * A MemoryStore that, while `broken`, fails its first append and every append of the
 * same bytes (the server's attempts again), as a store that lost that one write does.
 */
function breakable(inner: MemoryStore): DocumentStore & { broken: boolean } {
  let lost: Uint8Array | undefined;
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  return {
    broken: true,
    load: (doc) => inner.load(doc),
    async append(doc, delta) {
      lost ??= delta.slice();
      if (this.broken && same(delta, lost)) throw new Error('the store is unreachable');
      return inner.append(doc, delta);
    },
    compact: (doc, state, through) => inner.compact(doc, state, through),
    delete: (doc) => inner.delete(doc),
    documents: () => inner.documents(),
    bind: (replica, identity) => inner.bind(replica, identity),
    close: async () => {},
  };
}

describe('a failed append', () => {
  it('is logged and made again, and no acknowledgement covers it before it is stored', async () => {
    const inner = new MemoryStore();
    const store = breakable(inner);
    const s = await server(cleanup, { store });
    const failures = () => s.logs.filter((e) => e.event === 'store-error').length;
    const a = client(cleanup, s.url, 'notes', '?user=alice');
    await a.link.opened;
    typeText(a.replica, 'x'); // its append fails while the store is broken
    await until(() => failures() >= 1, 'the failure logged');
    typeText(a.replica, 'y'); // 'y' is stored…
    await until(async () => (await inner.load('notes')).deltas.length === 1, "'y' stored");
    const before = failures();
    await until(() => failures() >= before + 2, "two more attempts at 'x'");
    // …but not acknowledged: an acknowledgement of 'y' would cover 'x', which is not stored.
    expect([...a.replica.acknowledged.values()]).toEqual([]);

    store.broken = false;
    await until(() => [...a.replica.acknowledged.values()][0] === 2, 'both acknowledged, once both are stored');
    expect((await inner.load('notes')).deltas.length).toBe(2);
    // What was acknowledged is in the store: a fresh server on it serves 'xy'.
    await s.close();
    const again = await server(cleanup, { store: inner });
    const b = client(cleanup, again.url, 'notes', '?user=bob');
    await until(() => textOf(b.replica) === 'xy', 'the stored text');
  });

  it('stops being made again once the server closes, which then finishes, having acknowledged nothing', async () => {
    const store = breakable(new MemoryStore());
    const s = await server(cleanup, { store });
    const a = client(cleanup, s.url, 'notes', '?user=alice');
    await a.link.opened;
    typeText(a.replica, 'x');
    await until(() => s.logs.some((e) => e.event === 'store-error'), 'the failure logged');
    await s.close(); // resolves: the closing document gives up on 'x'
    expect([...a.replica.acknowledged.values()]).toEqual([]);
  });
});
