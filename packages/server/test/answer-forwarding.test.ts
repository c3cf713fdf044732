// A client's answer (what it made offline, sent in reply to the server's sync request
// when it reconnects) reaches the other clients at once, on this process and through
// the fan-out, without waiting for their next gossip round.
import { asReplicaId, type Counts } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import * as RGA from '@convergent/rga';
import { Replica, WebSocketTransport, type SyncAdapter } from '@convergent/sync';
import { describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryFanout, MemoryStore, type DocumentSpec } from '../src/index.js';
import { cleanupAfterEach, outliving, server, until } from './support/harness.js';

const cleanup = cleanupAfterEach();

/** G-Counter with causal capabilities: its counts are its own version vector. */
const causalGCounter: SyncAdapter<GCounter.GCounter> = {
  ...GCounter,
  seen: (state) => state.counts,
  missing: (state, seen: Counts) => Object.freeze({ counts: new Map([...state.counts].filter(([id, n]) => n > (seen.get(id) ?? 0))) }),
};

interface Mode<S> {
  readonly spec: DocumentSpec<S>;
  readonly edit: (state: S, id: ReturnType<typeof asReplicaId>) => S;
  readonly value: (state: S) => string;
}
/** One mode's test case, its state type erased for the table. */
const mode = <S>(m: Mode<S>) => m as unknown as Mode<unknown>;
const MODES: ReadonlyArray<[string, Mode<unknown>]> = [
  ['delta log (RGA)', mode<RGA.RGA>({ spec: { type: RGA, deltaLog: true }, edit: (s, id) => RGA.insertText(s, id, RGA.length(s), 'x'), value: (s) => RGA.text(s) })],
  ['causal type (G-Counter with seen/missing)', mode<GCounter.GCounter>({ spec: { type: causalGCounter }, edit: (s, id) => GCounter.increment(s, id), value: (s) => String(GCounter.value(s)) })],
  ['full states (G-Counter)', mode<GCounter.GCounter>({ spec: { type: GCounter }, edit: (s, id) => GCounter.increment(s, id), value: (s) => String(GCounter.value(s)) })],
];

/** A client with gossip off (a round an hour): only the server's forwarding can bring it news. */
function quietClient<S>(url: string, id: string, mode: Mode<S>) {
  const replica = new Replica<S>({ id: asReplicaId(id), type: mode.spec.type, doc: 'doc', deltaLog: mode.spec.deltaLog ?? false, gossipMs: 3_600_000 });
  const connect = () => {
    const link = new WebSocketTransport(`${url}doc?user=${id}`, { WebSocket, reconnectMs: 50 });
    replica.connect(link);
    return link;
  };
  let link = connect();
  cleanup.push(() => {
    replica.close();
    link.close();
  });
  return {
    replica,
    get link() {
      return link;
    },
    offline() {
      replica.disconnect(link);
      link.close();
    },
    online() {
      link = connect();
      return link.opened;
    },
  };
}

/** Resolves when `replica`'s value becomes `expected` (an event, not a poll); fails after 10 s so the test stops (gossip would take an hour). */
function becomes<S>(replica: Replica<S>, value: (state: S) => string, expected: string): Promise<void> {
  if (value(replica.state) === expected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never saw ${expected}, still ${value(replica.state)}`)), 10_000);
    const stop = replica.subscribe((state) => {
      if (value(state) !== expected) return;
      stop();
      clearTimeout(timer);
      resolve();
    });
  });
}

describe.each(MODES)('an answer carrying offline edits, %s', (_name, mode) => {
  test('reaches the other client on the same server without a gossip round', async () => {
    const s = await server(cleanup, { documents: () => mode.spec });
    const a = quietClient(s.url, 'ada', mode);
    const b = quietClient(s.url, 'bea', mode);
    await Promise.all([a.link.opened, b.link.opened]);
    a.replica.update(mode.edit);
    const one = mode.value(a.replica.state);
    await becomes(b.replica, mode.value, one);
    a.offline();
    a.replica.update(mode.edit);
    const two = mode.value(a.replica.state);
    expect(two).not.toBe(one);
    const seen = becomes(b.replica, mode.value, two);
    await a.online();
    await seen;
    expect(mode.value(b.replica.state)).toBe(two);
  });

  test('reaches a client on another server process through the fan-out', async () => {
    const store = new MemoryStore();
    const hub = new MemoryFanout();
    const one = await server(cleanup, { documents: () => mode.spec, store: outliving(store), fanout: hub.process() });
    const two = await server(cleanup, { documents: () => mode.spec, store: outliving(store), fanout: hub.process() });
    const a = quietClient(one.url, 'ada', mode);
    const b = quietClient(two.url, 'bea', mode);
    await Promise.all([a.link.opened, b.link.opened]);
    await until(() => one.health().documents === 1 && two.health().documents === 1, 'both processes to load the document');
    a.replica.update(mode.edit);
    await becomes(b.replica, mode.value, mode.value(a.replica.state));
    a.offline();
    a.replica.update(mode.edit);
    const seen = becomes(b.replica, mode.value, mode.value(a.replica.state));
    await a.online();
    await seen;
    expect(mode.value(b.replica.state)).toBe(mode.value(a.replica.state));
  });
});
