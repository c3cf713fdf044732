// The server's in-memory side of replica-id bindings: the cache over the store, and the
// ids of connected identities.
import { asReplicaId, type ReplicaId } from '@convergent/core';
import { describe, expect, it } from 'vitest';
import { Bindings, ConnectedIdentities } from '../src/bindings.js';
import { MemoryStore } from '../src/index.js';
import { countingBinds } from './support/harness.js';

const ids = (n: number, prefix = 'r'): ReplicaId[] => Array.from({ length: n }, (_, i) => asReplicaId(`${prefix}${i}`));

describe('Bindings', () => {
  it('asks the store once per id while cached, shares concurrent asks, and keeps at most `size`', async () => {
    const store = new MemoryStore();
    const { store: counting, binds: asked } = countingBinds(store);
    const bindings = new Bindings(counting, 2);
    const [a, b, c] = ids(3);
    expect(await Promise.all([bindings.owner(a!, 'alice'), bindings.owner(a!, 'mallory')])).toEqual(['alice', 'alice']);
    expect(asked).toEqual(['r0']);
    expect(bindings.owner(a!, 'mallory')).toBe('alice'); // cached: no promise, no store
    await bindings.owner(b!, 'bob');
    await bindings.owner(c!, 'carol'); // evicts the least recently used: a
    expect(bindings.owner(c!, 'x')).toBe('carol');
    expect(await bindings.owner(a!, 'mallory')).toBe('alice'); // from the store again
    expect(asked).toEqual(['r0', 'r1', 'r2', 'r0']);
  });
});

describe('ConnectedIdentities', () => {
  it("keeps an identity's ids while it has a connection: those in use, and the last 64 of closed connections", () => {
    const identities = new ConnectedIdentities();
    const set = identities.join('alice');
    identities.join('alice');
    const [tab1, tab2] = ids(2, 'tab');
    identities.use('alice', tab1!);
    identities.use('alice', tab2!);
    identities.leave('alice', [tab2!]); // tab 2 closed: its offline events may still come through tab 1
    expect([...set]).toEqual([tab1, tab2]);
    // 70 more short connections of alice come and go: only the last 64 closed ones stay.
    for (const id of ids(70)) {
      identities.join('alice');
      identities.use('alice', id);
      identities.leave('alice', [id]);
    }
    expect(set.has(tab1!)).toBe(true); // in use
    expect(set.has(tab2!)).toBe(false);
    expect(set.size).toBe(65);
    identities.leave('alice', [tab1!]);
    // The last connection gone, a new one starts from nothing (the store keeps the bindings).
    expect(identities.join('alice').size).toBe(0);
  });

  it('keeps an id two connections use until both closed', () => {
    const identities = new ConnectedIdentities();
    const set = identities.join('alice');
    identities.join('alice');
    identities.join('alice');
    const [shared] = ids(1);
    identities.use('alice', shared!);
    identities.use('alice', shared!);
    identities.leave('alice', [shared!]);
    for (const id of ids(70)) {
      identities.join('alice');
      identities.use('alice', id);
      identities.leave('alice', [id]);
    }
    expect(set.has(shared!)).toBe(true);
  });
});
