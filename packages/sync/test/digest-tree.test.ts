import { asReplicaId, DecodeError } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  decodeDigestMessage,
  DEFAULT_DIGEST_LIMITS,
  DigestSession,
  DigestTree,
  encodeDigestMessage,
  findDifferences,
  MemoryNetwork,
  namePath,
  pathPrefix,
  Replica,
  type DigestMessage,
} from '../src/index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const version = (n: number) => new Uint8Array([n & 0xff, n >> 8]);

function treeOf(contents: ReadonlyMap<string, number>): DigestTree {
  const tree = new DigestTree();
  for (const [name, v] of contents) tree.set(name, version(v));
  return tree;
}

/** The names whose versions differ, or that one side lacks: what an exchange must find. */
function expected(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((name) => a.get(name) !== b.get(name)).sort();
}

/** Runs an exchange from `mine` to `theirs`, counting messages and bytes both ways. */
async function exchange(mine: DigestTree, theirs: DigestTree) {
  const cost = { messages: 0, bytes: 0, rounds: 0 };
  const found = await findDifferences(mine, (request) => {
    const answer = theirs.answer(request);
    cost.messages += 2;
    cost.bytes += request.length + answer.length;
    return answer;
  });
  return { found: [...found].sort(), ...cost };
}

// Base contents and a list of changes: each change edits one side (a new version, a
// deletion, or a name only that side holds).
const contentsArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.nat(1000), { maxKeys: 300 });
const changeArb = fc.record({ side: fc.boolean(), name: fc.string({ minLength: 1, maxLength: 12 }), to: fc.option(fc.nat(1000)) });

function apply(base: Record<string, number>, changes: ReadonlyArray<{ side: boolean; name: string; to: number | null }>) {
  const [a, b] = [new Map(Object.entries(base)), new Map(Object.entries(base))];
  for (const { side, name, to } of changes) {
    const target = side ? a : b;
    if (to === null) target.delete(name);
    else target.set(name, to);
  }
  return [a, b] as const;
}

describe('finding differences', () => {
  test('two trees with random differences find exactly the differing names, from either side', async () => {
    await fc.assert(
      fc.asyncProperty(contentsArb, fc.array(changeArb, { maxLength: 40 }), async (base, changes) => {
        const [a, b] = apply(base, changes);
        const [ta, tb] = [treeOf(a), treeOf(b)];
        expect((await exchange(ta, tb)).found).toEqual(expected(a, b));
        expect((await exchange(tb, ta)).found).toEqual(expected(a, b));
        expect(ta.root === tb.root).toBe(expected(a, b).length === 0);
      }),
      { numRuns: 150 },
    );
  });

  test('a tree updated one name at a time (sets and deletes) answers like one built from its final contents', async () => {
    await fc.assert(
      fc.asyncProperty(contentsArb, fc.array(changeArb, { maxLength: 200 }), async (base, changes) => {
        const incremental = treeOf(new Map(Object.entries(base)));
        const [final] = apply(base, changes);
        for (const { side, name, to } of changes) {
          if (!side) continue;
          if (to === null) incremental.delete(name);
          else incremental.set(name, version(to));
        }
        const rebuilt = treeOf(final);
        expect(incremental.root).toBe(rebuilt.root);
        expect(incremental.size).toBe(final.size);
        expect([...incremental.names()].sort()).toEqual([...final.keys()].sort());
        // Same node hashes everywhere: an exchange between the two finds nothing, from either side.
        expect((await exchange(incremental, rebuilt)).found).toEqual([]);
        expect((await exchange(rebuilt, incremental)).found).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  test('a tree that grows past a split and shrinks back to a few names still finds a difference', async () => {
    const [a, b] = [new DigestTree(), new DigestTree()];
    for (let i = 0; i < 2000; i++) [a, b].forEach((t) => t.set(`n${i}`, version(1)));
    for (let i = 3; i < 2000; i++) [a, b].forEach((t) => t.delete(`n${i}`));
    b.set('n1', version(2));
    expect((await exchange(a, b)).found).toEqual(['n1']);
    expect(a.delete('n1999')).toBe(false);
  });

  describe('10,000 documents', () => {
    const n = 10_000;
    const name = (i: number) => `workspace/doc-${String(i).padStart(5, '0')}`;
    const base = new Map(Array.from({ length: n }, (_, i) => [name(i), i % 7] as const));
    const server = treeOf(base);

    // Rounds: the root, then one per level where the server's differing node holds more
    // than 16 names (about log₁₆(n / 16) of them), then one that lists the names.
    // With no outlier bucket that is ⌈log₁₆ n⌉ + 1 = 5 rounds at most, 2 messages each.
    const rounds = Math.ceil(Math.log(n) / Math.log(16)) + 1;
    // Bytes per difference per round: a request node (1 + 5 + 8) and a children item
    // (1 + 1 + 5 + 3 + 16 × 8); plus, once, a listing of up to 16 names with hashes.
    const perDifference = rounds * (14 + 138) + 16 * (1 + name(0).length + 8 + 1);

    test.each([0, 1, 5, 40])('with %i differences: the exact set, messages within 2 × rounds, bytes within d × the per-difference bound', async (d) => {
      const client = treeOf(base);
      const changed: string[] = [];
      for (let k = 0; k < d; k++) {
        const i = (k * 7919 + 13) % n;
        changed.push(name(i));
        // A third changed, a third deleted on the client, a third new on the client.
        if (k % 3 === 0) client.set(name(i), version(100));
        else if (k % 3 === 1) client.delete(name(i));
        else {
          changed[k] = `new/${k}`;
          client.set(`new/${k}`, version(1));
        }
      }
      const result = await exchange(client, server);
      expect(result.found).toEqual(changed.sort());
      // One request per round while each round's differing nodes fit in one request.
      expect(result.messages).toBeLessThanOrEqual(d === 0 ? 2 : 2 * rounds);
      expect(result.bytes).toBeLessThanOrEqual(Math.max(d, 1) * perDifference + 2 * rounds * 4);
      // Versus sending every name and version vector: far less, for a few differences.
      if (d <= 5) expect(result.bytes * 20).toBeLessThan([...base.keys()].reduce((sum, k) => sum + k.length + 3, 0));
    });

    test('with every document different, requests are split at maxNodes and the set is still exact', async () => {
      const client = new DigestTree();
      for (const k of base.keys()) client.set(k, version(999));
      const limits = { ...DEFAULT_DIGEST_LIMITS, maxNodes: 64 };
      let largest = 0;
      const found = await findDifferences(
        client,
        (request) => {
          const message = decodeDigestMessage(request);
          if (message.kind === 'digest-request') largest = Math.max(largest, message.nodes.length);
          return server.answer(request, limits);
        },
        limits,
      );
      expect(found.size).toBe(n);
      expect(largest).toBeLessThanOrEqual(64);
    });

    test('an empty client learns every name of the server, and an empty server every name of the client', async () => {
      expect((await exchange(new DigestTree(), server)).found).toHaveLength(n);
      expect((await exchange(server, new DigestTree())).found).toHaveLength(n);
      // The empty server answers the root with an empty listing: 2 messages.
      expect((await exchange(server, new DigestTree())).messages).toBe(2);
    });
  });
});

describe('the partition', () => {
  test('names spread evenly over the 16 children of the root and of each of their children', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 25_600; i++) counts[pathPrefix(namePath(`doc-${i}`), 2)]!++;
    // 100 expected per bucket; a binomial's standard deviation is 10.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });
});

describe('a replica version as the document digest', () => {
  test('replicas that synced have equal versions, and a tree over them finds the one that changed', async () => {
    const net = new MemoryNetwork();
    const [a, b] = ['a', 'b'].map((id) => new Replica({ id: asReplicaId(id), type: GCounter, gossipMs: 0, doc: 'likes' }));
    const link = net.transport('b');
    a!.connect(net.transport('a'));
    b!.connect(link);
    a!.update((s, id) => GCounter.increment(s, id, 2));
    net.flush();
    expect(hex(a!.version)).toBe(hex(b!.version));
    const [ta, tb] = [new DigestTree(), new DigestTree()];
    ta.set('likes', a!.version);
    tb.set('likes', b!.version);
    expect(ta.root).toBe(tb.root);
    b!.disconnect(link);
    a!.update((s, id) => GCounter.increment(s, id, 1));
    ta.set('likes', a!.version);
    expect((await exchange(tb, ta)).found).toEqual(['likes']);
  });
});

describe('the format', () => {
  const notes = pathPrefix(namePath('notes'), 1);
  // Checked-in bytes: a format change that breaks peers running the old version fails here.
  const golden: Array<{ name: string; message: DigestMessage; hex: string }> = [
    {
      name: 'request for the root',
      message: { kind: 'digest-request', nodes: [{ level: 0, prefix: 0, hash: 0x0102030405060708n }] },
      hex: 'd101' + '01' + '00' + '00' + '0102030405060708',
    },
    {
      name: 'children of the root: two non-empty',
      message: { kind: 'digest-response', items: [{ kind: 'children', level: 0, prefix: 0, hashes: Array.from({ length: 16 }, (_, i) => (i === 0 ? 1n : i === 9 ? 2n : 0n)) }] },
      hex: 'd102' + '01' + '01' + '00' + '00' + '8104' + '0000000000000001' + '0000000000000002',
    },
    {
      name: 'a listing of one name',
      message: { kind: 'digest-response', items: [{ kind: 'entries', level: 1, prefix: notes, entries: [['notes', 3n]] }] },
      hex: 'd102' + '01' + '02' + '01' + notes.toString(16).padStart(2, '0') + '01' + '056e6f746573' + '0000000000000003',
    },
  ];
  test.each(golden)('$name', ({ message, hex: bytes }) => {
    expect(hex(encodeDigestMessage(message))).toBe(bytes);
    expect(decodeDigestMessage(unhex(bytes))).toEqual(message);
  });

  test('namePath is fixed: trees of two versions of the library must agree', () => {
    expect([namePath('notes'), namePath('a')].map((p) => p.toString(16))).toEqual(['27612d25', '1a80b1b3']);
  });

  const bad: Array<[string, string]> = [
    ['empty input', ''],
    ['another first byte (a sync message)', '0201000141' + '00'],
    ['unknown kind', 'd103' + '00'],
    ['level past 8', 'd101' + '01' + '09' + '00' + '0000000000000000'],
    ['prefix past its level', 'd101' + '01' + '01' + '10' + '0000000000000000'],
    ['root with a prefix', 'd101' + '01' + '00' + '01' + '0000000000000000'],
    ['truncated hash', 'd101' + '01' + '00' + '00' + '00000000'],
    ['count past the bytes left', 'd101' + 'ff7f'],
    ['unknown item tag', 'd102' + '01' + '03' + '00' + '00'],
    ['children of a level-8 node', 'd102' + '01' + '01' + '08' + '00' + '00'],
    ['child map past 16 bits', 'd102' + '01' + '01' + '00' + '00' + '808004'],
    ['zero hash for a non-empty child', 'd102' + '01' + '01' + '00' + '00' + '01' + '0000000000000000'],
    ['a name outside its node', 'd102' + '01' + '02' + '08' + '00' + '01' + '056e6f746573' + '0000000000000003'],
    ['names repeated', 'd102' + '01' + '02' + '00' + '00' + '02' + '0161' + '0000000000000001' + '0161' + '0000000000000001'],
    ['names unsorted', 'd102' + '01' + '02' + '00' + '00' + '02' + '0162' + '0000000000000001' + '0161' + '0000000000000001'],
    ['invalid UTF-8 in a name', 'd102' + '01' + '02' + '00' + '00' + '01' + '01ff' + '0000000000000001'],
    ['trailing bytes', 'd102' + '00' + '00'],
  ];
  test.each(bad)('rejects %s with DecodeError', (_, bytes) => {
    expect(() => decodeDigestMessage(unhex(bytes))).toThrow(DecodeError);
  });

  test('limits: message size, nodes per request, names per listing', () => {
    const request = encodeDigestMessage({ kind: 'digest-request', nodes: Array.from({ length: 3 }, (_, i) => ({ level: 1, prefix: i, hash: 1n })) });
    expect(() => decodeDigestMessage(request, { ...DEFAULT_DIGEST_LIMITS, maxMessageBytes: request.length - 1 })).toThrow(DecodeError);
    expect(() => decodeDigestMessage(request, { ...DEFAULT_DIGEST_LIMITS, maxNodes: 2 })).toThrow(DecodeError);
    const listing = encodeDigestMessage({ kind: 'digest-response', items: [{ kind: 'entries', level: 0, prefix: 0, entries: [['a', 1n], ['b', 2n]] }] });
    expect(() => decodeDigestMessage(listing, { ...DEFAULT_DIGEST_LIMITS, maxEntries: 1 })).toThrow(DecodeError);
  });

  test('the encoder refuses what the decoder would reject', () => {
    const refuse = (message: DigestMessage) => expect(() => encodeDigestMessage(message)).toThrow(RangeError);
    refuse({ kind: 'digest-request', nodes: [{ level: 9, prefix: 0, hash: 0n }] });
    refuse({ kind: 'digest-request', nodes: [{ level: 1, prefix: 16, hash: 0n }] });
    refuse({ kind: 'digest-request', nodes: [{ level: 0, prefix: 0, hash: 1n << 64n }] });
    refuse({ kind: 'digest-response', items: [{ kind: 'children', level: 0, prefix: 0, hashes: [1n] }] });
    refuse({ kind: 'digest-response', items: [{ kind: 'entries', level: 0, prefix: 0, entries: [['b', 1n], ['a', 1n]] }] });
    refuse({ kind: 'digest-response', items: [{ kind: 'entries', level: 8, prefix: 0, entries: [['notes', 1n]] }] });
    expect(() => new DigestTree().set('x'.repeat(257), version(1))).toThrow(RangeError);
    expect(() => new DigestTree().set('\ud800', version(1))).toThrow(RangeError);
  });
});

describe('hostile peers', () => {
  const tree = treeOf(new Map(Array.from({ length: 500 }, (_, i) => [`d${i}`, i] as const)));

  test('random bytes: the decoder, answer and receive throw DecodeError and nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.of(0xd1, 1 + (b[0] ?? 0) % 2, ...b))), (bytes) => {
        for (const run of [() => decodeDigestMessage(bytes), () => tree.answer(bytes), () => new DigestSession(tree).receive(bytes)]) {
          try {
            run();
          } catch (error) {
            expect(error).toBeInstanceOf(DecodeError);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('mutated valid messages: rejected with DecodeError, or decoded to a message that encodes back to the same bytes', async () => {
    // Real messages of an exchange with differences at every level.
    const other = treeOf(new Map(Array.from({ length: 500 }, (_, i) => [`d${i}`, i % 3 === 0 ? i + 1 : i] as const)));
    const messages: Uint8Array[] = [];
    await findDifferences(other, (request) => {
      const answer = tree.answer(request);
      messages.push(request, answer);
      return answer;
    });
    fc.assert(
      fc.property(fc.constantFrom(...messages), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(3), (message, at, value, cut) => {
        const bytes = message.slice(0, message.length - (cut === 3 ? 1 : 0));
        bytes[at % bytes.length] = value;
        try {
          expect(hex(encodeDigestMessage(decodeDigestMessage(bytes)))).toBe(hex(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('an answer about nodes not asked about adds no difference; a second answer to one request is ignored', () => {
    const session = new DigestSession(tree);
    const [request] = session.start();
    const stranger = treeOf(new Map([['d1', 999]]));
    const names = [...tree.names()].filter((n) => pathPrefix(namePath(n), 1) === pathPrefix(namePath('d1'), 1)).sort();
    const unasked = encodeDigestMessage({ kind: 'digest-response', items: [{ kind: 'entries', level: 1, prefix: pathPrefix(namePath('d1'), 1), entries: names.map((n) => [n, 5n] as const) }] });
    expect(session.receive(unasked)).toEqual([]);
    expect(session.differences.size).toBe(0);
    session.receive(stranger.answer(request!));
    expect(session.receive(unasked)).toEqual([]);
    expect(session.differences.size).toBe(0);
  });

  test('a response where a request belongs, and the reverse, are refused', () => {
    const [request] = new DigestSession(tree).start();
    expect(() => tree.answer(encodeDigestMessage({ kind: 'digest-response', items: [] }))).toThrow(DecodeError);
    expect(() => new DigestSession(tree).receive(request!)).toThrow(DecodeError);
  });
});
