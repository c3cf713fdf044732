// Bad records, full disks, interrupted compactions, newer formats and log-out.
import { asReplicaId } from '@convergent/core';
import * as ORMap from '@convergent/or-map';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import type { SyncAdapter } from '@convergent/sync';
import { openDB } from 'idb';
import { describe, expect, test } from 'vitest';
import { CorruptRecordError, deleteStore, memoryLocks, openStore, restore, StorageError, StorageQuotaError, StoredFormatError, type Locks } from '../src/index.js';
import { checksum } from '../src/format.js';
import { cleanupAfterEach, disposeLater, freshName, patch, putRaw, rawRecords } from './support.js';

const cleanup = cleanupAfterEach();
const Cart = ORMap.of(ORMap.counter);
const me = asReplicaId('me');

async function store(what: string, locks?: Locks) {
  return disposeLater(cleanup, await openStore(freshName(what), locks ? { locks } : {}));
}

/** A store holding `n` one-increment records of a PN-Counter under `doc`. */
async function counterStore(what: string, n: number, locks?: Locks) {
  const db = await store(what, locks);
  for (let i = 1; i <= n; i++) await db.append('n', [PNCounter.encode(PNCounter.increment(PNCounter.bottom, me, i))]);
  return db;
}

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('bad records are skipped whole and reported', () => {
  test('changed bytes, a foreign object, undecodable bytes and a refused merge', async () => {
    const db = await counterStore('corrupt', 3);
    const records = await rawRecords(db.name);
    const [k1] = records.keys();
    const first = records.get(k1!)! as { bytes: Uint8Array };
    // A bit flipped on disk: the checksum no longer matches.
    const flipped = first.bytes.slice();
    flipped[flipped.length - 1]! ^= 1;
    await putRaw(db.name, { ...first, bytes: flipped }, k1);
    // Another program's object, filed under the document.
    const foreign = await putRaw(db.name, { doc: 'n', title: 'not ours' });
    // Bytes with a valid checksum that do not decode as a PN-Counter.
    const garbage = new Uint8Array([0xff, 0xff, 0xff]);
    const undecodable = await putRaw(db.name, { doc: 'n', format: 1, kind: 'delta', bytes: garbage, sum: checksum(garbage) });
    // A counter past 2^53 - 1 once merged: the type refuses it.
    const huge = PNCounter.encode(PNCounter.increment(PNCounter.bottom, asReplicaId('x'), Number.MAX_SAFE_INTEGER));
    const refused = await putRaw(db.name, { doc: 'n', format: 1, kind: 'delta', bytes: huge, sum: checksum(huge) });

    const loaded = await db.load('n', PNCounter);
    expect(loaded.errors.map((e) => e.key).sort((a, b) => a - b)).toEqual([k1, foreign, undecodable, refused].sort((a, b) => a! - b!));
    for (const error of loaded.errors) expect(error).toBeInstanceOf(CorruptRecordError);
    expect(loaded.errors.find((e) => e.key === k1)!.message).toContain('checksum');
    expect(loaded.errors.find((e) => e.key === refused)!.message).toContain('refused by the type');
    // Records 2 and 3 load: one replica's increments of 2 and 3, whose G-Counter entry keeps the larger.
    expect(loaded.records).toBe(2);
    expect(PNCounter.value(loaded.state)).toBe(3);

    // A restore reports the same, and compaction keeps the bad records for inspection.
    const restored = await restore({ store: db, type: PNCounter, doc: 'n', gossipMs: 0 });
    expect(restored.errors).toHaveLength(4);
    await restored.persistence.compact();
    const after = await rawRecords(db.name);
    expect(after.size).toBe(5); // the compacted state and the four bad records
    for (const key of [k1!, foreign, undecodable, refused]) expect(after.has(key)).toBe(true);
    // Recovery: drop them once looked at.
    await db.deleteRecords(restored.errors.map((e) => e.key));
    const clean = await db.load('n', PNCounter);
    expect(clean.errors).toEqual([]);
    expect(PNCounter.value(clean.state)).toBe(3);
  });

  test('an RGA record of another document type (a foreign delta) is skipped, the rest loads', async () => {
    const db = await store('foreign-type');
    const text = await restore({ store: db, type: RGA, doc: 'notes', deltaLog: true, gossipMs: 0 });
    text.replica.update((s, id) => RGA.insertText(s, id, 0, 'kept'));
    await text.persistence.close();
    await db.append('notes', [Cart.encode(Cart.update(Cart.bottom, me, 'milk', (q, r) => ORMap.increment(q, r, 1)))]);
    const again = await restore({ store: db, type: RGA, doc: 'notes', deltaLog: true, gossipMs: 0 });
    expect(again.errors).toHaveLength(1);
    expect(again.errors[0]!.message).toContain('does not decode');
    expect(RGA.text(again.replica.state)).toBe('kept');
  });

  test('a record of a newer format is skipped and named as such', async () => {
    const db = await counterStore('newer-record', 1);
    const bytes = PNCounter.encode(PNCounter.increment(PNCounter.bottom, me, 9));
    const key = await putRaw(db.name, { doc: 'n', format: 2, kind: 'delta', bytes, sum: checksum(bytes) });
    const loaded = await db.load('n', PNCounter);
    expect(loaded.errors.map((e) => e.key)).toEqual([key]);
    expect(loaded.errors[0]!.message).toContain('format 2, newer');
    expect(PNCounter.value(loaded.state)).toBe(1);
  });

  test('a record past the store limit is neither written nor read', async () => {
    const db = disposeLater(cleanup, await openStore(freshName('limit'), { limits: { maxBytes: 8 } }));
    await expect(db.append('n', [new Uint8Array(9)])).rejects.toBeInstanceOf(StorageError);
    const big = new Uint8Array(9);
    const key = await putRaw(db.name, { doc: 'n', format: 1, kind: 'delta', bytes: big, sum: checksum(big) });
    expect((await db.load('n', PNCounter)).errors.map((e) => e.key)).toEqual([key]);
  });
});

describe('a full disk', () => {
  test('QuotaExceededError becomes a StorageQuotaError; nothing in memory is lost, and the next write stores everything', async () => {
    const db = await store('quota');
    const { replica, persistence } = await restore({ store: db, type: PNCounter, doc: 'n', gossipMs: 0 });
    const errors: StorageError[] = [];
    persistence.on('error', (error) => errors.push(error));
    replica.update((s, id) => PNCounter.increment(s, id, 1));
    await persistence.whenDurable();

    // The disk fills up: every add fails as a browser's would.
    const restoreAdd = patch(IDBObjectStore.prototype, 'add', () => () => {
      throw quota();
    });
    replica.update((s, id) => PNCounter.increment(s, id, 2));
    replica.update((s, id) => PNCounter.decrement(s, id, 5));
    const waiting = persistence.whenDurable();
    await expect(waiting).rejects.toBeInstanceOf(StorageQuotaError);
    expect(errors[0]).toBeInstanceOf(StorageQuotaError);
    expect(errors[0]).toBeInstanceOf(StorageError);
    expect((errors[0]!.cause as DOMException).name).toBe('QuotaExceededError');
    expect(persistence.error).toBe(errors.at(-1));
    expect(persistence.pending).toBe(2);
    expect(PNCounter.value(replica.state)).toBe(-2); // the replica is untouched
    expect(PNCounter.value((await db.load('n', PNCounter)).state)).toBe(1);

    // Space is freed: the retry writes the queued changes, merged into one record.
    restoreAdd();
    await persistence.whenDurable();
    expect(persistence.pending).toBe(0);
    expect(persistence.error).toBeUndefined();
    expect(PNCounter.value((await db.load('n', PNCounter)).state)).toBe(-2);
    expect((await db.usage('n')).records).toBe(2);
  });

  test('a transaction that aborts with QuotaExceededError at commit is reported the same way', async () => {
    const db = await store('quota-commit');
    const restoreAdd = patch(IDBObjectStore.prototype, 'add', (original) =>
      function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
        const request = original.apply(this, args);
        // As a browser does when the commit fails for space: the request errs, the transaction aborts.
        request.addEventListener('success', () => {
          Object.defineProperty(request, 'error', { value: quota() });
          request.dispatchEvent(new Event('error', { bubbles: true, cancelable: true }));
          this.transaction.abort();
        });
        return request;
      },
    );
    cleanup.push(restoreAdd);
    await expect(db.append('n', [PNCounter.encode(PNCounter.increment(PNCounter.bottom, me))])).rejects.toBeInstanceOf(StorageError);
    restoreAdd();
    expect((await db.usage('n')).records).toBe(0);
  });
});

describe('compaction', () => {
  test('merges the records into one state, within 1.5 times its encoding, and restores the same', async () => {
    const db = await store('compact');
    const { replica, persistence } = await restore({ store: db, type: RGA, doc: 't', deltaLog: true, gossipMs: 0, compactEvery: 0 });
    for (let i = 0; i < 50; i++) replica.update((s, id) => RGA.insertText(s, id, RGA.length(s), `${i} `));
    await persistence.whenDurable();
    expect((await db.usage('t')).records).toBeGreaterThan(1);
    await persistence.compact();
    const usage = await db.usage('t');
    expect(usage.records).toBe(1);
    expect(usage.bytes).toBeLessThanOrEqual(1.5 * RGA.encode(replica.state).length);
    expect(RGA.equals((await db.load('t', RGA)).state, replica.state)).toBe(true);
  });

  test('runs in the background every compactEvery records', async () => {
    const db = await store('background');
    const { replica, persistence } = await restore({ store: db, type: PNCounter, doc: 'n', gossipMs: 0, compactEvery: 10 });
    for (let i = 0; i < 10; i++) {
      replica.update((s, id) => PNCounter.increment(s, id));
      await persistence.whenDurable();
    }
    await expect.poll(async () => (await db.usage('n')).records).toBe(1);
    expect(PNCounter.value((await db.load('n', PNCounter)).state)).toBe(10);
  });

  test('a large state is rewritten only once new records add up to half its size', async () => {
    const db = await store('amplification');
    const { replica, persistence } = await restore({ store: db, type: RGA, doc: 't', deltaLog: true, gossipMs: 0, compactEvery: 5 });
    const write = async (text: string) => {
      replica.update((s, id) => RGA.insertText(s, id, RGA.length(s), text));
      await persistence.whenDurable();
    };
    await write('x'.repeat(4000));
    for (let i = 0; i < 4; i++) await write('y');
    await expect.poll(async () => (await db.usage('t')).records).toBe(1); // the first compaction: 5 records
    for (let i = 0; i < 20; i++) await write('z'); // 20 small records, far from 2 kB
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await db.usage('t')).records).toBe(21);
    await write('w'.repeat(2000)); // now half the state's bytes
    await expect.poll(async () => (await db.usage('t')).records).toBe(1);
    expect(RGA.text((await db.load('t', RGA)).state)).toBe(RGA.text(replica.state));
  });

  test('does nothing while another tab holds the lock', async () => {
    const locks = memoryLocks();
    const db = await counterStore('locked', 4, locks);
    let replaced: number | undefined;
    await locks.request(`convergent-indexeddb:${db.name}:n`, { ifAvailable: true }, async () => {
      replaced = (await db.compact('n', PNCounter)).records;
    });
    expect(replaced).toBe(0);
    expect((await db.usage('n')).records).toBe(4);
    expect((await db.compact('n', PNCounter)).records).toBe(4);
  });

  // The steps: take the lock, read the records (one transaction), merge and encode,
  // write the state and delete the records read (one transaction).
  const interruptions: Array<{ step: string; interrupt: (name: string) => () => void }> = [
    { step: 'while reading', interrupt: () => patch(IDBIndex.prototype, 'getAll', () => () => { throw new DOMException('read failed', 'UnknownError'); }) },
    { step: 'while encoding the merged state', interrupt: () => () => {} },
    { step: 'after writing the state, before the deletes', interrupt: () => patch(IDBObjectStore.prototype, 'delete', () => () => { throw new DOMException('crash', 'UnknownError'); }) },
    {
      step: 'between two deletes',
      interrupt: () =>
        patch(IDBObjectStore.prototype, 'delete', (original) =>
          function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['delete']>) {
            const request = original.apply(this, args);
            request.addEventListener('success', () => this.transaction.abort());
            return request;
          },
        ),
    },
  ];

  test.each(interruptions)('interrupted $step loses nothing', async ({ step, interrupt }) => {
    const db = await counterStore('interrupt', 5);
    const before = await rawRecords(db.name);
    const type: SyncAdapter<PNCounter.PNCounter> =
      step === 'while encoding the merged state'
        ? { ...PNCounter, encode: (s) => (s === PNCounter.bottom ? PNCounter.encode(s) : (() => { throw new Error('tab closed'); })()) }
        : PNCounter;
    const undo = interrupt(db.name);
    cleanup.push(undo);
    try {
      await db.compact('n', type);
      throw new Error('not interrupted');
    } catch (error) {
      expect((error as Error).message).not.toBe('not interrupted');
    }
    undo();
    expect(await rawRecords(db.name)).toEqual(before);
    const loaded = await db.load('n', PNCounter);
    expect(loaded.errors).toEqual([]);
    expect(PNCounter.value(loaded.state)).toBe(5);
    // And a later compaction completes.
    await db.compact('n', PNCounter);
    expect((await db.usage('n')).records).toBe(1);
    expect(PNCounter.value((await db.load('n', PNCounter)).state)).toBe(5);
  });

  test('a failure of the compaction restore starts, before the app listens, reaches its first error listener', async () => {
    const db = await counterStore('unheard', 3);
    const failing: SyncAdapter<PNCounter.PNCounter> = { ...PNCounter, encode: () => { throw new Error('tab closed'); } };
    const { persistence } = await restore({ store: db, type: failing, doc: 'n', gossipMs: 0 });
    await expect.poll(async () => (await db.usage('n')).records).toBe(3); // kept: the compaction failed
    await new Promise((resolve) => setTimeout(resolve, 10));
    const heard: StorageError[] = [];
    persistence.on('error', (error) => heard.push(error));
    expect(heard.map((error) => [error instanceof StorageError, error.message.includes('tab closed')])).toEqual([[true, true]]);
    const later: StorageError[] = [];
    persistence.on('error', (error) => later.push(error));
    expect(later).toEqual([]); // handed over once
  });

  test('a record another tab appends during compaction is kept', async () => {
    const name = freshName('during');
    const db = disposeLater(cleanup, await openStore(name));
    const other = await openStore(name);
    cleanup.push(() => other.close());
    for (let i = 1; i <= 3; i++) await db.append('n', [PNCounter.encode(PNCounter.increment(PNCounter.bottom, me, i))]);
    let appended: Promise<void> | undefined;
    const late = PNCounter.increment(PNCounter.bottom, asReplicaId('other-tab'), 7);
    // Between the read and the write: the other tab appends its delta.
    const type: SyncAdapter<PNCounter.PNCounter> = { ...PNCounter, encode: (s) => ((appended ??= other.append('n', [PNCounter.encode(late)])), PNCounter.encode(s)) };
    expect((await db.compact('n', type)).records).toBe(3);
    await appended;
    const loaded = await db.load('n', PNCounter);
    expect(loaded.records).toBe(2);
    expect(PNCounter.value(loaded.state)).toBe(10);
  });

  test('two tabs compacting at once without a shared lock lose nothing', async () => {
    const name = freshName('race');
    const db = disposeLater(cleanup, await openStore(name, { locks: memoryLocks() }));
    const other = await openStore(name, { locks: memoryLocks() });
    cleanup.push(() => other.close());
    for (let i = 1; i <= 6; i++) await (i % 2 ? db : other).append('n', [PNCounter.encode(PNCounter.increment(PNCounter.bottom, asReplicaId(`r${i}`), 1))]);
    await Promise.all([db.compact('n', PNCounter), other.compact('n', PNCounter)]);
    expect(PNCounter.value((await db.load('n', PNCounter)).state)).toBe(6);
  });
});

describe('stored format and log-out', () => {
  test('a database written by a newer version is refused with StoredFormatError and left alone', async () => {
    const name = freshName('newer');
    const db = await openDB(name, 7, { upgrade: (d) => void d.createObjectStore('records') });
    db.close();
    cleanup.push(() => deleteStore(name));
    const error = await openStore(name).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoredFormatError);
    expect((error as StoredFormatError).found).toBe(7);
  });

  test('deleteStore logs out: other connections close, their next write is a StorageError, a new store is empty', async () => {
    const name = freshName('logout');
    const db = await openStore(name);
    const closed: string[] = [];
    db.onClose((why) => closed.push(why));
    const { replica, persistence } = await restore({ store: db, type: PNCounter, doc: 'n', gossipMs: 0 });
    replica.update((s, id) => PNCounter.increment(s, id, 3));
    await persistence.whenDurable();
    await deleteStore(name);
    expect(closed).toEqual(['deleted or upgraded by another tab']);
    replica.update((s, id) => PNCounter.increment(s, id));
    await expect(persistence.whenDurable()).rejects.toBeInstanceOf(StorageError);
    const fresh = disposeLater(cleanup, await openStore(name));
    expect((await fresh.load('n', PNCounter)).records).toBe(0);
  });

  test('deleteDocuments removes only the given documents, in one transaction', async () => {
    const db = await counterStore('docs', 2);
    await db.append('other', [PNCounter.encode(PNCounter.increment(PNCounter.bottom, me))]);
    await db.deleteDocuments(['n']);
    expect((await db.usage('n')).records).toBe(0);
    expect((await db.usage('other')).records).toBe(1);
  });
});

