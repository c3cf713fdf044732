// Presence and sync sharing WebSockets to the real relay.
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { Replica, startRelay, WebSocketTransport } from '@convergent/sync';
import { describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { cleanupAfterEach, until } from '../../sync/test/support/async.js';
import { Presence } from '../src/index.js';

const cleanup = cleanupAfterEach();

describe('over the relay', () => {
  test('names and carets arrive beside the text; a joiner is answered by each peer alone; close() is seen at once', async () => {
    const relay = await startRelay();
    cleanup.push(() => relay.close());
    const errors: unknown[] = [];
    const join = async (name: string) => {
      const link = new WebSocketTransport(`${relay.url}/doc`, { WebSocket });
      cleanup.push(() => link.close());
      const id = asReplicaId(name);
      const replica = new Replica({ id, type: RGA, gossipMs: 0, onError: (e) => errors.push(e) });
      const presence = new Presence({ id, name: name.toUpperCase(), colour: '#336699', onError: (e) => errors.push(e) });
      cleanup.push(() => presence.close());
      replica.connect(link);
      presence.connect(link);
      await link.opened;
      return { replica, presence };
    };
    const a = await join('a');
    const b = await join('b');
    await until(() => a.presence.peers.has(b.presence.id) && b.presence.peers.has(a.presence.id), 'a and b see each other');
    a.replica.update((s, id) => RGA.insertText(s, id, 0, 'hi 😀'));
    a.presence.select({ anchor: null, head: RGA.idAt(a.replica.state, RGA.length(a.replica.state) - 1) });
    await until(() => b.presence.peers.get(a.presence.id)?.selection !== null && RGA.length(b.replica.state) === 4, 'b has the text and a caret');
    const head = b.presence.peers.get(a.presence.id)!.selection!.head!;
    expect(RGA.indexOf(b.replica.state, head)).toBe(3);

    // A third peer joins: a and b each answer it once, and the relay delivers each answer to it alone.
    const before = { a: a.presence.stats.sent, b: b.presence.stats.sent };
    const c = await join('c');
    await until(() => c.presence.peers.size === 2 && a.presence.peers.size === 2 && b.presence.peers.size === 2, 'c sees both, both see c');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.presence.stats.sent - before.a).toBe(1);
    expect(b.presence.stats.sent - before.b).toBe(1);
    expect(c.presence.peers.get(a.presence.id)?.name).toBe('A');

    c.presence.close();
    await until(() => !a.presence.peers.has(c.presence.id) && !b.presence.peers.has(c.presence.id), 'c is gone');
    expect(errors).toEqual([]);
    expect(relay.stats.rejected).toBe(0);
  });
});

describe('over a BroadcastChannel', () => {
  test('tabs see each other; answers addressed to a late tab reach every tab and start nothing more', async () => {
    const { BroadcastChannelTransport } = await import('@convergent/sync');
    const channel = `presence-test-${Math.random()}`;
    const tabs = ['a', 'b', 'c'].map((name) => {
      const link = new BroadcastChannelTransport(channel);
      const presence = new Presence({ id: asReplicaId(name), name, colour: '#000000' });
      presence.connect(link);
      cleanup.push(() => {
        presence.close();
        link.close();
      });
      return presence;
    });
    await until(() => tabs.every((p) => p.peers.size === 2), 'every tab sees the other two');
    await new Promise((resolve) => setTimeout(resolve, 200)); // throttled answers still on the way
    const before = tabs.map((p) => p.stats.received);
    const sentBefore = tabs.map((p) => p.stats.sent);
    const late = new Presence({ id: asReplicaId('d'), name: 'd', colour: '#000000' });
    const link = new BroadcastChannelTransport(channel);
    cleanup.push(() => link.close());
    late.connect(link);
    await until(() => late.peers.size === 3 && tabs.every((p) => p.peers.has(late.id)), 'the late tab and the others see each other');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Each tab got d's question and the two other tabs' answers to d (addressed, broadcast anyway) ...
    expect(tabs.map((p, i) => p.stats.received - before[i]!)).toEqual([3, 3, 3]);
    // ... and sent one message, its answer to d: answers addressed to others start nothing.
    expect(tabs.map((p, i) => p.stats.sent - sentBefore[i]!)).toEqual([1, 1, 1]);
    late.close();
  });
});
