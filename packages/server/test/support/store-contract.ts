import { describe, expect, it } from 'vitest';
import { StoreClosedError, type DocumentStore } from '../../src/index.js';

const bytes = (...values: number[]) => new Uint8Array(values);

/**
 * The contract every DocumentStore keeps; the tests of each store run it against their
 * real database.
 */
export function storeContract(name: string, open: () => Promise<DocumentStore>): void {
  describe(`${name}: DocumentStore contract`, () => {
    it('loads a document never written as no state and no deltas', async () => {
      const store = await open();
      expect(await store.load('nothing')).toEqual({ state: undefined, deltas: [] });
      await store.close();
    });

    it('appends with increasing sequence numbers per document and loads them in order', async () => {
      const store = await open();
      const a1 = await store.append('a', bytes(1));
      const b1 = await store.append('b', bytes(9));
      const a2 = await store.append('a', bytes(2));
      const a3 = await store.append('a', bytes(3));
      expect(a2).toBeGreaterThan(a1);
      expect(a3).toBeGreaterThan(a2);
      expect(typeof b1).toBe('number');
      const a = await store.load('a');
      expect(a.state).toBeUndefined();
      expect(a.deltas.map((d) => [...d.bytes])).toEqual([[1], [2], [3]]);
      expect(a.deltas.map((d) => d.seq)).toEqual([a1, a2, a3]);
      expect((await store.load('b')).deltas.map((d) => [...d.bytes])).toEqual([[9]]);
      await store.close();
    });

    it('compacts the deltas up to `through` into the state and keeps later ones', async () => {
      const store = await open();
      await store.append('a', bytes(1));
      const second = await store.append('a', bytes(2));
      const third = await store.append('a', bytes(3));
      await store.compact('a', bytes(12), second);
      const loaded = await store.load('a');
      expect([...(loaded.state ?? [])]).toEqual([12]);
      expect(loaded.deltas).toEqual([{ seq: third, bytes: bytes(3) }]);
      // Sequence numbers keep increasing after a compaction.
      expect(await store.append('a', bytes(4))).toBeGreaterThan(third);
      await store.compact('a', bytes(1, 2, 3, 4), Number.MAX_SAFE_INTEGER);
      expect(await store.load('a')).toEqual({ state: bytes(1, 2, 3, 4), deltas: [] });
      await store.close();
    });

    it('ignores a compaction with an earlier `through` than the stored state (another process compacted further)', async () => {
      const store = await open();
      const first = await store.append('a', bytes(1));
      const second = await store.append('a', bytes(2));
      await store.compact('a', bytes(12), second);
      await store.compact('a', bytes(1), first);
      expect(await store.load('a')).toEqual({ state: bytes(12), deltas: [] });
      await store.close();
    });

    it('stores copies: mutating a buffer after append or load changes nothing stored', async () => {
      const store = await open();
      const delta = bytes(5);
      await store.append('a', delta);
      delta[0] = 6;
      const loaded = await store.load('a');
      (loaded.deltas[0]?.bytes as Uint8Array)[0] = 7;
      expect([...((await store.load('a')).deltas[0]?.bytes ?? [])]).toEqual([5]);
      await store.close();
    });

    it('deletes a document and lists the documents held', async () => {
      const store = await open();
      await store.append('a', bytes(1));
      await store.append('b', bytes(2));
      await store.compact('c', bytes(3), 0);
      const names: string[] = [];
      for await (const doc of store.documents()) names.push(doc);
      expect(names.sort()).toEqual(['a', 'b', 'c']);
      await store.delete('a');
      expect(await store.load('a')).toEqual({ state: undefined, deltas: [] });
      const after: string[] = [];
      for await (const doc of store.documents()) after.push(doc);
      expect(after.sort()).toEqual(['b', 'c']);
      await store.close();
    });

    it('keeps the newest state when an older compaction arrives late (two processes compacting)', async () => {
      const store = await open();
      for (const b of [1, 2, 3, 4]) await store.append('a', bytes(b));
      await store.compact('a', bytes(1, 2, 3), 3);
      await store.compact('a', bytes(1, 2), 2); // computed earlier, lacks delta 3, which is gone
      expect(await store.load('a')).toEqual({ state: bytes(1, 2, 3), deltas: [{ seq: 4, bytes: bytes(4) }] });
      await store.close();
    });

    it('gives concurrent appends distinct sequence numbers and loses none', async () => {
      const store = await open();
      const seqs = await Promise.all(Array.from({ length: 20 }, (_, i) => store.append('a', bytes(i))));
      expect(new Set(seqs).size).toBe(20);
      const loaded = await store.load('a');
      expect(loaded.deltas.map((d) => d.seq)).toEqual([...seqs].sort((x, y) => x - y));
      expect(loaded.deltas.map((d) => d.bytes[0]).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual([...Array(20).keys()]);
      await store.close();
    });

    it('keeps documents apart whatever their names hold', async () => {
      const store = await open();
      const names = ['a', 'a!1', '1:a', 'a:', '', 'é\u0000ü', 'a"'];
      for (const [i, doc] of names.entries()) await store.append(doc, bytes(i));
      for (const [i, doc] of names.entries()) expect((await store.load(doc)).deltas.map((d) => [...d.bytes])).toEqual([[i]]);
      const listed: string[] = [];
      for await (const doc of store.documents()) listed.push(doc);
      expect(listed.sort()).toEqual([...names].sort());
      await store.delete('a');
      expect((await store.load('a!1')).deltas).toHaveLength(1);
      await store.close();
    });

    it('refuses a negative or fractional `through`', async () => {
      const store = await open();
      await expect(store.compact('a', bytes(1), -1)).rejects.toBeInstanceOf(RangeError);
      await expect(store.compact('a', bytes(1), 1.5)).rejects.toBeInstanceOf(RangeError);
      await store.close();
    });

    it('binds a replica id to the first identity and resolves that owner ever after', async () => {
      const store = await open();
      expect(await store.bind('laptop', 'alice')).toBe('alice');
      expect(await store.bind('laptop', 'mallory')).toBe('alice');
      expect(await store.bind('laptop', 'alice')).toBe('alice');
      expect(await store.bind('phone', 'bob')).toBe('bob');
      // Bindings are not documents, and deleting a document keeps them.
      await store.append('laptop', bytes(1));
      await store.delete('laptop');
      const names: string[] = [];
      for await (const doc of store.documents()) names.push(doc);
      expect(names).toEqual([]);
      expect(await store.bind('laptop', 'mallory')).toBe('alice');
      await store.close();
    });

    it('gives concurrent binds of one id one owner, whoever asks', async () => {
      const store = await open();
      const identities = Array.from({ length: 20 }, (_, i) => `user-${i}`);
      const owners = await Promise.all(identities.map((identity) => store.bind('contested', identity)));
      expect(new Set(owners).size).toBe(1);
      expect(identities).toContain(owners[0]);
      expect(await store.bind('contested', 'late')).toBe(owners[0]);
      await store.close();
    });

    it('refuses empty, overlong or malformed ids and identities with a RangeError', async () => {
      const store = await open();
      await expect(store.bind('', 'alice')).rejects.toBeInstanceOf(RangeError);
      await expect(store.bind('x'.repeat(65), 'alice')).rejects.toBeInstanceOf(RangeError);
      await expect(store.bind('\ud800', 'alice')).rejects.toBeInstanceOf(RangeError);
      await expect(store.bind('laptop', '')).rejects.toBeInstanceOf(RangeError);
      await expect(store.bind('laptop', 'é'.repeat(129))).rejects.toBeInstanceOf(RangeError);
      expect(await store.bind('x'.repeat(64), 'é'.repeat(128))).toBe('é'.repeat(128));
      expect(await store.bind('laptop', 'alice')).toBe('alice');
      await store.close();
    });

    it('keeps working after release, which only forgets what is cached', async () => {
      const store = await open();
      const first = await store.append('a', bytes(1));
      store.release?.('a');
      const second = await store.append('a', bytes(2));
      expect(second).toBeGreaterThan(first);
      await store.compact('a', bytes(1, 2), second);
      store.release?.('a');
      expect(await store.append('a', bytes(3))).toBeGreaterThan(second);
      expect((await store.load('a')).deltas.map((d) => [...d.bytes])).toEqual([[3]]);
      await store.close();
    });

    it('rejects every call after close with StoreClosedError', async () => {
      const store = await open();
      await store.close();
      await expect(store.load('a')).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.append('a', bytes(1))).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.bind('laptop', 'alice')).rejects.toBeInstanceOf(StoreClosedError);
    });
  });
}

