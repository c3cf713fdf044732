// The presence protocol on a MemoryNetwork under fake timers: who sends what when,
// expiry, leaving, sharing a link with sync, hostile peers.
import { asReplicaId, DecodeError } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { MemoryNetwork, Replica, ReplicaIdReuseError, UnauthorizedError, type Transport } from '@convergent/sync';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { encodePresence, Presence, type PresenceChange, type PresenceOptions } from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets queued microtasks (coalesced sends) run and delivers what they sent, a few rounds. */
async function drain(net: MemoryNetwork): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
    net.flush();
  }
}

/** Advances the clock by `ms` in 10 ms steps, delivering everything sent on the way. */
async function pass(net: MemoryNetwork, ms: number): Promise<void> {
  await drain(net);
  for (let t = 0; t < ms; t += 10) {
    vi.advanceTimersByTime(10);
    await drain(net);
  }
}

/** Long enough for throttled answers (50 ms) to go out and arrive. */
const settle = (net: MemoryNetwork) => pass(net, 200);

function room(names: string[], options: Partial<PresenceOptions> = {}) {
  const net = new MemoryNetwork();
  const errors: unknown[] = [];
  const links = new Map<string, Transport>();
  const people = names.map((name) => {
    const link = net.transport(name);
    links.set(name, link);
    const presence = new Presence({ id: asReplicaId(name), name, colour: '#123456', onError: (e) => errors.push(e), ...options });
    presence.connect(link);
    return presence;
  });
  return { net, errors, people, link: (name: string) => links.get(name)! };
}
const sent = (people: Presence[]) => people.reduce((n, p) => n + p.stats.sent, 0);

describe('joining', () => {
  test('everyone learns everyone; a joiner asks once and each peer answers it once, addressed', async () => {
    const { net, people, errors } = room(['a', 'b', 'c', 'd']);
    await settle(net);
    for (const p of people) expect([...p.peers.keys()].sort()).toEqual(['a', 'b', 'c', 'd'].filter((n) => n !== p.id));
    const before = { sent: sent(people), delivered: net.stats.delivered };
    const e = new Presence({ id: asReplicaId('e'), name: 'Eve', colour: '#abcdef' });
    e.connect(net.transport('e'));
    await settle(net);
    // One broadcast from e (4 deliveries), one addressed answer from each peer (4 deliveries).
    expect(sent([...people, e]) - before.sent).toBe(5);
    expect(net.stats.delivered - before.delivered).toBe(8);
    expect(e.peers.size).toBe(4);
    for (const p of people) expect(p.peers.get(asReplicaId('e'))?.name).toBe('Eve');
    expect(errors).toEqual([]);
  });

  test('several askers in one burst get one broadcast, not one answer each', async () => {
    const { net, people } = room(['a']);
    await settle(net);
    const newcomers = ['b', 'c', 'd'].map((n) => new Presence({ id: asReplicaId(n), name: n, colour: '#000000' }));
    newcomers.forEach((p) => p.connect(net.transport(p.id)));
    const before = people[0]!.stats.sent;
    await settle(net);
    expect(people[0]!.stats.sent - before).toBe(1);
    for (const p of newcomers) expect(p.peers.has(asReplicaId('a'))).toBe(true);
  });
});

describe('sending', () => {
  test('changes made in one task go out as one message; no change, no message', async () => {
    const { net, people } = room(['a', 'b']);
    await settle(net);
    vi.advanceTimersByTime(1000);
    const [a, b] = people as [Presence, Presence];
    const before = a.stats.sent;
    for (let i = 1; i <= 10; i++) a.select({ anchor: null, head: { replica: a.id, counter: i } });
    a.set({ name: 'a' }); // unchanged
    await settle(net);
    expect(a.stats.sent - before).toBe(1);
    expect(b.peers.get(a.id)?.selection?.head).toEqual({ replica: 'a', counter: 10 });
    a.set({ name: 'a' });
    await settle(net);
    expect(a.stats.sent - before).toBe(1);
  });

  test('at most one message per change, and bursts faster than the throttle are coalesced', async () => {
    const { net, people } = room(['a', 'b']);
    await settle(net);
    vi.advanceTimersByTime(1000);
    const [a, b] = people as [Presence, Presence];
    const before = a.stats.sent;
    // 100 keystrokes, 20 ms apart: the 50 ms throttle sends about every third.
    for (let i = 1; i <= 100; i++) {
      a.set({ fields: { keys: i } });
      await pass(net, 20);
    }
    await pass(net, 100);
    const messages = a.stats.sent - before;
    expect(messages).toBeLessThanOrEqual(100);
    expect(messages).toBeGreaterThanOrEqual(30);
    expect(messages).toBeLessThanOrEqual(45);
    expect(b.peers.get(a.id)?.fields).toEqual({ keys: 100 });
    // Slow changes: each one message.
    const slow = a.stats.sent;
    for (let i = 0; i < 5; i++) {
      a.set({ fields: { slow: i } });
      await pass(net, 200);
    }
    expect(a.stats.sent - slow).toBe(5);
  });

  test('a quiet replica sends one keep-alive per 15 s, and its peers keep it', async () => {
    const { net, people } = room(['a', 'b']);
    await settle(net);
    const before = sent(people);
    await pass(net, 120_000);
    // 120 s: 8 keep-alives each, give or take the phase of the first.
    const messages = sent(people) - before;
    expect(messages).toBeGreaterThanOrEqual(14);
    expect(messages).toBeLessThanOrEqual(16);
    expect(people[0]!.peers.size).toBe(1);
    expect(people[1]!.peers.size).toBe(1);
  });

  test('a quiet replica keeps alive every 15 s while a busy peer sends to it all the time', async () => {
    const { net, people } = room(['a', 'b']);
    await settle(net);
    const [a, b] = people as [Presence, Presence];
    const before = a.stats.sent;
    for (let s = 0; s < 60; s++) {
      b.set({ fields: { s } });
      await pass(net, 1000);
    }
    expect(a.stats.sent - before).toBe(4);
    expect(b.peers.has(a.id)).toBe(true);
  });
});

describe('leaving', () => {
  test('a peer that goes silent expires after the timeout', async () => {
    const { net, people, link } = room(['a', 'b']);
    await settle(net);
    const [a, b] = people as [Presence, Presence];
    const changes: PresenceChange[] = [];
    a.subscribe((_, change) => changes.push(change));
    b.disconnect(link('b')); // no goodbye
    await pass(net, 29_000);
    expect(a.peers.has(b.id)).toBe(true);
    await pass(net, 2_000);
    expect(a.peers.has(b.id)).toBe(false);
    expect(changes.map((c) => `${c.kind} ${c.id}`)).toEqual(['leave b']);
  });

  test('close() tells peers at once; a late, reordered state does not bring the peer back', async () => {
    const { net, people } = room(['a', 'b']);
    await settle(net);
    const [a, b] = people as [Presence, Presence];
    const stale = encodePresence({ kind: 'state', doc: '', from: b.id, seq: 2, to: undefined, ask: false, state: b.state });
    b.close();
    net.flush();
    expect(a.peers.has(b.id)).toBe(false);
    a.receive(stale);
    expect(a.peers.has(b.id)).toBe(false);
    const sentByB = b.stats.sent;
    await pass(net, 60_000);
    expect(b.stats.sent).toBe(sentByB); // closed: no keep-alive
  });

  test('a link going down drops the peers heard on it; coming up asks again', async () => {
    const { net, people } = room(['a', 'b', 'c']);
    await settle(net);
    const [a] = people as [Presence];
    net.setOnline('a', false);
    expect(a.peers.size).toBe(0);
    net.setOnline('a', true);
    await settle(net);
    expect([...a.peers.keys()].sort()).toEqual(['b', 'c']);
  });
});

describe('sharing a link with sync', () => {
  test('a Replica and a Presence on one transport each ignore the other protocol; carets name RGA elements', async () => {
    const net = new MemoryNetwork();
    const errors: unknown[] = [];
    const pairs = ['a', 'b'].map((name) => {
      const link = net.transport(name);
      const id = asReplicaId(name);
      const replica = new Replica({ id, type: RGA, gossipMs: 0, onError: (e) => errors.push(e) });
      const presence = new Presence({ id, name, colour: '#00ff00', onError: (e) => errors.push(e) });
      replica.connect(link);
      presence.connect(link);
      return { replica, presence };
    });
    const [a, b] = pairs as [(typeof pairs)[0], (typeof pairs)[0]];
    a.replica.update((s, id) => RGA.insertText(s, id, 0, 'hello'));
    a.presence.select({ anchor: null, head: RGA.idAt(a.replica.state, 4) });
    await settle(net);
    expect(RGA.text(b.replica.state)).toBe('hello');
    const head = b.presence.peers.get(a.replica.id)?.selection?.head ?? null;
    expect(head && RGA.indexOf(b.replica.state, head)).toBe(4);
    expect(errors).toEqual([]);
    expect(a.replica.stats.rejected + b.replica.stats.rejected + a.presence.stats.rejected + b.presence.stats.rejected).toBe(0);
  });
});

describe('hostile peers', () => {
  const authenticated = (replicas: string[]) => ({ replicas: new Set(replicas.map(asReplicaId)), trusted: false });
  const forged = (from: string, seq = 1) =>
    encodePresence({ kind: 'state', doc: '', from: asReplicaId(from), seq, to: undefined, ask: false, state: { name: 'x', colour: '#000000', selection: null, fields: {} } });

  test('an authenticated sender may publish only its own presence; a trusted one may forward', () => {
    const p = new Presence({ id: asReplicaId('me'), name: 'me', colour: '#000000' });
    expect(() => p.receive(forged('alice'), undefined, authenticated(['mallory']))).toThrow(UnauthorizedError);
    expect(p.peers.size).toBe(0);
    p.receive(forged('mallory'), undefined, authenticated(['mallory']));
    p.receive(forged('alice'), undefined, { replicas: new Set(), trusted: true });
    expect([...p.peers.keys()].sort()).toEqual(['alice', 'mallory']);
    expect(p.stats.rejected).toBe(1);
  });

  test('garbage, own id and a flood of ids: typed errors and a bounded peer table', () => {
    const errors: unknown[] = [];
    const net = new MemoryNetwork();
    const p = new Presence({ id: asReplicaId('me'), name: 'me', colour: '#000000', limits: { maxPeers: 3 }, onError: (e) => errors.push(e) });
    const link = net.transport('me');
    p.connect(link);
    const attacker = net.transport('attacker');
    attacker.send(Uint8Array.of(0xe1, 1, 7));
    attacker.send(forged('me'));
    for (let i = 0; i < 10; i++) attacker.send(forged(`id${i}`));
    net.flush();
    expect(errors[0]).toBeInstanceOf(DecodeError);
    expect(errors[1]).toBeInstanceOf(ReplicaIdReuseError);
    expect(p.peers.size).toBe(3);
    p.close();
  });

  test('bad local states are refused before anything changes', () => {
    const p = new Presence({ id: asReplicaId('me'), name: 'me', colour: '#ABCDEF' });
    expect(p.state.colour).toBe('#abcdef');
    expect(() => p.set({ colour: 'red; background: url(x)' })).toThrow(RangeError);
    expect(() => p.set({ name: 'x'.repeat(200) })).toThrow(RangeError);
    expect(() => p.set({ fields: { big: 'x'.repeat(2000) } })).toThrow(RangeError);
    expect(() => p.set({ fields: [] as never })).toThrow(/JSON object/);
    expect(() => p.select({ anchor: null, head: { replica: asReplicaId('a'), counter: 0 } })).toThrow(RangeError);
    expect(p.state).toEqual({ name: 'me', colour: '#abcdef', selection: null, fields: {} });
    expect(() => new Presence({ id: asReplicaId('me'), name: 'me', colour: '#000000', keepAliveMs: 40_000 })).toThrow(RangeError);
  });
});

