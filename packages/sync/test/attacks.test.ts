// The attacks of the sync issue's Trust list, written as an attacker would: hand-made
// messages (encodeMessage or raw bytes) delivered to honest replicas.
import { asReplicaId, DecodeError, MergeRejectedError, type ReplicaId } from '@convergent/core';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import { describe, expect, test } from 'vitest';
import {
  encodeMessage,
  MemoryNetwork,
  ProtocolVersionError,
  Replica,
  ReplicaIdReuseError,
  UnauthorizedError,
  type Sender,
  type StateMessage,
  type SyncAdapter,
  type TransportHandlers,
} from '../src/index.js';

const [A, B, C, M] = ['alice', 'bob', 'carol', 'mallory'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId, ReplicaId];
const MAX = Number.MAX_SAFE_INTEGER;

/** A room of honest replicas on a MemoryNetwork, plus a line by which the attacker reaches any of them. */
function room<S>(type: SyncAdapter<S>, deltaLog: boolean, names: ReplicaId[] = [A, B, C]) {
  const net = new MemoryNetwork();
  const errors = new Map<ReplicaId, unknown[]>();
  const lines = new Map<ReplicaId, TransportHandlers>();
  const replicas = names.map((id) => {
    errors.set(id, []);
    const replica = new Replica({ id, type, deltaLog, gossipMs: 0, onError: (e) => errors.get(id)!.push(e) });
    replica.connect(net.transport(id));
    // The attacker's own link to this replica.
    replica.connect({ connected: false, send: () => {}, listen: (h) => (lines.set(id, h), () => {}) });
    return replica;
  });
  net.flush();
  /** Delivers `bytes` to `to`, as coming from an authenticated `sender` (or over an unauthenticated link). */
  const attack = (to: ReplicaId, bytes: Uint8Array, sender?: Sender) => lines.get(to)!.message(bytes, sender);
  return { net, replicas, errors, attack };
}
const mallory: Sender = { replicas: new Set([M]), trusted: false };
const state = (fields: Partial<StateMessage> & Pick<StateMessage, 'from' | 'payload'>): Uint8Array =>
  encodeMessage({ kind: 'state', doc: '', to: undefined, ask: false, seq: undefined, deps: undefined, covers: undefined, ...fields });

describe('authorship: a peer may create events only under its own ids', () => {
  // Needs RGA.authors from the type package.
  test("an element under another replica's next id, addressed to one replica, is refused: no fork", () => {
    const { net, replicas, errors, attack } = room(RGA, true);
    const [alice, bob, carol] = replicas as [Replica<RGA.RGA>, Replica<RGA.RGA>, Replica<RGA.RGA>];
    alice.update((s, id) => RGA.insertText(s, id, 0, 'hi'));
    net.flush();
    // Mallory writes "EVIL" as Alice's next element and answers Bob with it.
    const evil = RGA.insertText(bob.state, A, 2, 'EVIL');
    attack(B, state({ from: M, to: B, covers: new Map([[M, 1]]), payload: RGA.encode(evil) }), mallory);
    attack(B, state({ from: M, seq: 1, payload: RGA.encode(evil) }), mallory);
    expect(errors.get(B)!.map((e) => e instanceof UnauthorizedError)).toEqual([true, true]);
    expect(RGA.text(bob.state)).toBe('hi');
    alice.update((s, id) => RGA.insertText(s, id, 2, 'GOOD'));
    net.flush();
    for (const r of replicas) expect(RGA.text(r.state)).toBe('hiGOOD');
    expect(RGA.equals(bob.state, carol.state)).toBe(true);
  });

  test('a trusted forwarder (the server) may pass on other replicas\' events', () => {
    const { replicas, errors, attack } = room(RGA, true);
    const bob = replicas[1] as Replica<RGA.RGA>;
    const server: Sender = { replicas: new Set([asReplicaId('server')]), trusted: true };
    const alices = RGA.insertText(RGA.bottom, A, 0, 'hello');
    attack(B, state({ from: A, seq: 1, payload: RGA.encode(alices) }), server);
    expect(errors.get(B)).toEqual([]);
    expect(RGA.text(bob.state)).toBe('hello');
  });

  test('a type that cannot list authors is accepted only on unauthenticated links', () => {
    const { authors: _, ...withoutAuthors } = PNCounter as SyncAdapter<PNCounter.PNCounter>;
    const { replicas, errors, attack } = room(withoutAuthors, false);
    const payload = PNCounter.encode(PNCounter.increment(PNCounter.bottom, M, 1));
    attack(B, state({ from: M, payload }), mallory);
    expect(errors.get(B)![0]).toBeInstanceOf(UnauthorizedError);
    attack(B, state({ from: M, payload }));
    expect(PNCounter.value(replicas[1]!.state)).toBe(1);
  });
});

describe('nobody can advance another replica\'s vector', () => {
  test('a forged covers {alice: 10^12} from an authenticated peer is refused', () => {
    const { replicas, errors, attack } = room(RGA, true);
    attack(B, state({ from: M, to: B, covers: new Map([[A, 1e12]]), payload: RGA.encode(RGA.bottom) }), mallory);
    expect(errors.get(B)![0]).toBeInstanceOf(UnauthorizedError);
    expect(replicas[1]!.seen.get(A)).toBeUndefined();
  });

  test("on an unauthenticated link a forged covers {alice: 10^12} cannot hide Alice's future edits from Bob", () => {
    const { net, replicas, attack } = room(RGA, true);
    const [alice, bob] = replicas as [Replica<RGA.RGA>, Replica<RGA.RGA>];
    attack(B, state({ from: M, to: B, covers: new Map([[A, 1e12]]), payload: RGA.encode(RGA.bottom) }));
    alice.update((s, id) => RGA.insertText(s, id, 0, 'still here'));
    net.flush();
    expect(RGA.text(bob.state)).toBe('still here');
  });

  test.each([
    ['deps of a broadcast delta', (p: Uint8Array) => state({ from: M, seq: 1, deps: new Map([[A, MAX]]), payload: p })],
    ['covers of an answer', (p: Uint8Array) => state({ from: M, to: A, covers: new Map([[A, MAX]]), payload: p })],
    ['seen of a sync request', () => encodeMessage({ kind: 'sync', doc: '', from: M, to: undefined, seen: new Map([[A, MAX]]), digest: undefined, ask: true, nonce: undefined })],
  ])('a claim of MAX_SAFE_INTEGER deltas by Alice, in the %s, does not stop Alice editing', (_where, forge) => {
    const { net, replicas, errors, attack } = room(RGA, true);
    const [alice, bob] = replicas as [Replica<RGA.RGA>, Replica<RGA.RGA>];
    // Broadcast to everyone, unauthenticated.
    for (const id of [A, B, C]) attack(id, forge(RGA.encode(RGA.insertText(RGA.bottom, M, 0, '.'))));
    expect(errors.get(A)![0]).toBeInstanceOf(UnauthorizedError);
    alice.update((s, id) => RGA.insertText(s, id, 0, 'a'));
    alice.update((s, id) => RGA.insertText(s, id, 1, 'b'));
    net.flush();
    expect(RGA.text(alice.state).endsWith('ab') || RGA.text(alice.state).startsWith('ab')).toBe(true);
    expect(RGA.text(bob.state)).toContain('ab');
    expect(alice.seen.get(A)).toBe(2);
  });
});

describe('from spoofing', () => {
  test("a message under another replica's id is refused on an authenticated link", () => {
    const { replicas, errors, attack } = room(PNCounter, false);
    attack(B, state({ from: A, payload: PNCounter.encode(PNCounter.increment(PNCounter.bottom, A, 5)) }), mallory);
    attack(B, encodeMessage({ kind: 'sync', doc: '', from: A, to: undefined, seen: undefined, digest: 0, ask: true, nonce: undefined }), mallory);
    expect(errors.get(B)!.map((e) => e instanceof UnauthorizedError)).toEqual([true, true]);
    expect(PNCounter.value(replicas[1]!.state)).toBe(0);
  });
});

describe('overflow: deltas that would break a query or the next mutation are refused before merging', () => {
  // Needs PNCounter.validateMerge from the type package.
  test('a PN-Counter entry of MAX_SAFE_INTEGER - 10 is refused; increments keep working', () => {
    const { net, replicas, errors, attack } = room(PNCounter, false);
    const bob = replicas[1]!;
    for (let i = 0; i < 10; i++) bob.update((s, id) => PNCounter.increment(s, id));
    net.flush();
    // Worth 10 already: the entry would take the sum to MAX_SAFE_INTEGER, so no increment could follow.
    attack(B, state({ from: M, payload: PNCounter.encode(PNCounter.increment(PNCounter.bottom, M, MAX - 10)) }));
    expect(errors.get(B)![0]).toBeInstanceOf(MergeRejectedError);
    for (let i = 0; i < 20; i++) bob.update((s, id) => PNCounter.increment(s, id));
    net.flush();
    for (const r of replicas) expect(PNCounter.value(r.state)).toBe(30);
  });

  // Needs PNCounter.validateMerge from the type package.
  test('two entries of MAX/2 do not get through one at a time', () => {
    const { replicas, errors, attack } = room(PNCounter, false);
    const half = Math.ceil(MAX / 2);
    attack(B, state({ from: M, payload: PNCounter.encode(PNCounter.increment(PNCounter.bottom, M, half)) }));
    attack(B, state({ from: C, payload: PNCounter.encode(PNCounter.increment(PNCounter.bottom, C, half)) }));
    expect(errors.get(B)!.length).toBe(1); // the first one fits
    expect(errors.get(B)![0]).toBeInstanceOf(MergeRejectedError);
    const bob = replicas[1] as Replica<PNCounter.PNCounter>;
    expect(() => PNCounter.value(bob.state)).not.toThrow();
    bob.update((s, id) => PNCounter.increment(s, id));
  });

  // Needs RGA.validateMerge from the type package.
  test('an RGA element with counter MAX_SAFE_INTEGER - 1 is refused; inserts keep working', () => {
    const { net, replicas, errors, attack } = room(RGA, true);
    const bomb = RGA.fromJSON({ runs: [[M, MAX - 1, null, 'x']], pending: [] });
    attack(B, state({ from: M, seq: 1, payload: RGA.encode(bomb) }));
    expect(errors.get(B)![0]).toBeInstanceOf(MergeRejectedError);
    const bob = replicas[1] as Replica<RGA.RGA>;
    bob.update((s, id) => RGA.insertText(s, id, 0, 'fine'));
    net.flush();
    for (const r of replicas) expect(RGA.text(r.state)).toBe('fine');
  });
});

describe('payload limits', () => {
  const invented = () => {
    const ids = Array.from({ length: 60_000 }, (_, i) => `m${String(i).padStart(5, '0')}`);
    return PNCounter.encode(PNCounter.fromJSON({ increments: ids.map((id) => [id, 1]), decrements: [] }));
  };

  test('a 60,000-replica PN-Counter state from an authenticated peer is refused', () => {
    const { replicas, errors, attack } = room(PNCounter, false);
    attack(B, state({ from: M, to: B, payload: invented() }), mallory);
    // Past the default maxReplicas (16,384) the payload decoder refuses it before the authorship rule would.
    expect(errors.get(B)![0]).toBeInstanceOf(DecodeError);
    expect(PNCounter.value(replicas[1]!.state)).toBe(0);
  });

  // Needs PNCounter.decode with limits from the type package.
  test.each([{}, { maxReplicas: 1000 }])('the payload decoder is bounded by maxReplicas (limits %o)', (limits) => {
    const bob = new Replica({ id: B, type: PNCounter, gossipMs: 0, limits });
    expect(() => bob.receive(state({ from: M, to: B, payload: invented() }))).toThrow(DecodeError);
    expect(PNCounter.value(bob.state)).toBe(0);
    expect(bob.stats.rejected).toBe(1);
  });
});

describe('replica ids', () => {
  // Needs RGA.authors (causal adapters are covered by their `seen`).
  test('a restored state cannot be reused under its old id', () => {
    const alice = new Replica({ id: A, type: RGA, deltaLog: true, gossipMs: 0 });
    alice.update((s, id) => RGA.insertText(s, id, 0, 'saved'));
    const saved = alice.state;
    alice.update((s, id) => RGA.insertText(s, id, 5, ' then offline edits'));
    expect(() => new Replica({ id: A, type: RGA, deltaLog: true, initial: saved })).toThrow(ReplicaIdReuseError);
    const restored = new Replica({ id: asReplicaId('alice-2'), type: RGA, deltaLog: true, initial: saved, gossipMs: 0 });
    expect(RGA.text(restored.state)).toBe('saved');
  });

  test('a peer on the old wire format gets a clear typed error', () => {
    const { errors, attack } = room(PNCounter, false);
    attack(B, new Uint8Array([1, 1, 0, 5, 97, 108, 105, 99, 101, 2])); // a version 1 sync request from 'alice'
    expect(errors.get(B)![0]).toBeInstanceOf(ProtocolVersionError);
  });
});
