import { asReplicaId, ConvergentError, DecodeError, DEFAULT_LIMITS, InvalidReplicaIdError, InvalidValueError, Writer, type JsonValue, type ReplicaId } from '@convergent/core';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as RGA from '../src/index.js';
import { writeParts, type CodedRun } from '../src/codec.js';
import { integrate, mk } from '../src/rga.js';

const [A, B, C] = ['A', 'B', 'C'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];

/** A replica: applies its own deltas locally and records them for shipping. */
class Replica {
  state: RGA.RGA = RGA.bottom;
  readonly sent: RGA.RGA[] = [];
  constructor(readonly id: ReplicaId) {}
  apply(delta: RGA.RGA): this {
    this.state = RGA.merge(this.state, delta);
    this.sent.push(delta);
    return this;
  }
  type(index: number, text: string): this {
    // One character at a time, as an editor would.
    [...text].forEach((ch, i) => this.apply(RGA.insertText(this.state, this.id, index + i, ch)));
    return this;
  }
  insert(index: number, text: string): this {
    return this.apply(RGA.insertText(this.state, this.id, index, text));
  }
  remove(index: number, count: number): this {
    return this.apply(RGA.deleteText(this.state, this.id, index, count));
  }
  receive(...others: Replica[]): this {
    for (const other of others) for (const delta of other.sent) this.state = RGA.merge(this.state, delta);
    return this;
  }
  get text(): string {
    return RGA.text(this.state);
  }
}

describe('seed example: concurrent "Hello" and "World" at position 0', () => {
  test.each([
    ['typed at once', (r: Replica, s: string) => r.insert(0, s)],
    ['typed character by character', (r: Replica, s: string) => r.type(0, s)],
  ])('%s: every replica ends with the same one of HelloWorld / WorldHello', (_name, write) => {
    const a = new Replica(A);
    const b = new Replica(B);
    write(a, 'Hello');
    write(b, 'World');
    const ab = RGA.merge(a.state, b.state);
    const ba = RGA.merge(b.state, a.state);
    expect(RGA.equals(ab, ba)).toBe(true);
    expect(['HelloWorld', 'WorldHello']).toContain(RGA.text(ab));
    // Deltas delivered one by one, in either direction, give the same text.
    expect(new Replica(C).receive(a, b).text).toBe(RGA.text(ab));
    expect(new Replica(C).receive(b, a).text).toBe(RGA.text(ab));
    // Ties between equal counters go to the higher replica id: B's run first.
    expect(RGA.text(ab)).toBe('WorldHello');
  });
});

describe('intent', () => {
  test('runs typed forwards at one position by 2 or 3 replicas never interleave', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(word, { minLength: 2, maxLength: 3 }), fc.string({ unit: fc.constantFrom('x', 'y'), maxLength: 4 }), fc.nat(), fc.boolean(), (words, base, at, shuffle) => {
        const seed = new Replica(asReplicaId('seed')).insert(0, base);
        const replicas = words.map((_, i) => new Replica(asReplicaId(`r${i}`)).receive(seed));
        // Every replica types its word, character by character, at the same position.
        const pos = at % (base.length + 1);
        replicas.forEach((r, i) => r.type(pos, words[i]!.toUpperCase()));
        const order = shuffle ? [...replicas].reverse() : replicas;
        const merged = new Replica(asReplicaId('z')).receive(seed, ...order);
        const inserted = merged.text.slice(pos, pos + words.join('').length);
        // The inserted region is a concatenation of the whole words, in some order.
        const upper = words.map((w) => w.toUpperCase());
        const permutations = (xs: string[]): string[] =>
          xs.length <= 1 ? xs : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => x + rest));
        expect(permutations(upper)).toContain(inserted);
        expect(merged.text.slice(0, pos) + merged.text.slice(pos + inserted.length)).toBe(base);
        // Everyone converges.
        for (const r of replicas) expect(RGA.equals(r.receive(seed, ...replicas).state, merged.state)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('runs typed backwards (each character before the previous one) may interleave', () => {
    // Typing "abc" backwards is three inserts at the same index: c, then b, then a.
    // Each has the same origin, so concurrent backwards runs are ordered character by
    // character, by counter. This is RGA's documented behaviour.
    const a = new Replica(A);
    const b = new Replica(B);
    for (const ch of ['c', 'b', 'a']) a.insert(0, ch);
    for (const ch of ['3', '2', '1']) b.insert(0, ch);
    expect(a.text).toBe('abc');
    expect(new Replica(C).receive(a, b).text).toBe('1a2b3c');
  });

  test('a caret after a word stays after it while another replica inserts before it', () => {
    const a = new Replica(A).insert(0, 'hello world');
    const b = new Replica(B).receive(a);
    // B's caret sits after "hello": remember the identity of the "o".
    const anchor = RGA.idAt(b.state, 4);
    const caret = () => RGA.indexOf(b.state, anchor) + 1;
    expect(caret()).toBe(5);
    a.sent.length = 0;
    a.insert(0, 'say: ').type(0, '> ');
    b.receive(a);
    expect(b.text).toBe('> say: hello world');
    expect(b.text.slice(0, caret())).toBe('> say: hello');
    // Remote insertions after the caret do not move it.
    a.sent.length = 0;
    a.insert(a.text.length, '!');
    b.receive(a);
    expect(b.text.slice(0, caret())).toBe('> say: hello');
  });

  test('concurrent insert next to a concurrently deleted character lands in place', () => {
    const a = new Replica(A).insert(0, 'abcd');
    const b = new Replica(B).receive(a);
    a.sent.length = 0;
    a.remove(1, 2); // "ad"
    b.sent.length = 0;
    b.insert(2, 'X'); // "abXcd"
    expect(a.receive(b).text).toBe('aXd');
    expect(b.receive(a).text).toBe('aXd');
  });
});

describe('delivery', () => {
  test('a delta whose predecessor is missing stays invisible until it arrives', () => {
    const a = new Replica(A).type(0, 'abc');
    const [first, second, third] = a.sent as [RGA.RGA, RGA.RGA, RGA.RGA];
    let b = RGA.merge(RGA.bottom, third);
    expect(RGA.text(b)).toBe('');
    b = RGA.merge(b, second);
    expect(RGA.text(b)).toBe('');
    expect(RGA.length(b)).toBe(0);
    b = RGA.merge(b, first);
    expect(RGA.text(b)).toBe('abc');
    expect(RGA.equals(b, a.state)).toBe(true);
  });

  test('a deletion that arrives before the insert it deletes wins when the insert arrives', () => {
    const a = new Replica(A).insert(0, 'ab').remove(0, 1);
    const [insert, del] = a.sent as [RGA.RGA, RGA.RGA];
    const b = RGA.merge(RGA.merge(RGA.bottom, del), insert);
    expect(RGA.text(b)).toBe('b');
    expect(RGA.equals(b, a.state)).toBe(true);
  });

  test('duplicated deltas change nothing', () => {
    const a = new Replica(A).type(0, 'hey').remove(1, 1);
    const b = new Replica(B).receive(a, a, a);
    expect(RGA.equals(b.state, a.state)).toBe(true);
  });

  test('a replica counter passes every counter it has seen (Lamport)', () => {
    const a = new Replica(A).insert(0, 'abcdef');
    const b = new Replica(B).receive(a).insert(6, 'g');
    expect(RGA.idAt(b.state, 6)).toEqual({ replica: 'B', counter: 7 });
  });
});

describe('storage', () => {
  test('deleted content is not kept: a tombstone is a count', () => {
    const a = new Replica(A).insert(0, 'secret password').remove(0, 7);
    expect(RGA.toJSON(a.state).runs).toEqual([
      ['A', 1, null, 7],
      ['A', 8, ['A', 7], 'password'],
    ]);
    expect(Buffer.from(RGA.encode(a.state)).toString('latin1')).not.toContain('secret');
  });

  test('a run typed one character at a time is one run', () => {
    const a = new Replica(A).type(0, 'x'.repeat(500));
    expect(RGA.toJSON(a.state).runs).toEqual([['A', 1, null, 'x'.repeat(500)]]);
    expect(RGA.encode(a.state).length).toBeLessThan(520);
    // Deleting backwards (backspace) leaves one tombstone run.
    for (let i = 0; i < 100; i++) a.remove(RGA.length(a.state) - 1, 1);
    expect(RGA.toJSON(a.state).runs).toEqual([['A', 1, null, 'x'.repeat(400)], ['A', 401, ['A', 400], 100]]);
  });

  test('single characters given as values are text, so both APIs agree', () => {
    const viaValues = RGA.insertAt(RGA.bottom, A, 0, ['h', 'i']);
    const viaText = RGA.insertText(RGA.bottom, A, 0, 'hi');
    expect(RGA.equals(viaValues, viaText)).toBe(true);
    expect(RGA.encode(viaValues)).toEqual(RGA.encode(viaText));
  });

  test('code points outside the BMP are single elements', () => {
    const doc = RGA.insertText(RGA.bottom, A, 0, 'a😀b');
    expect(RGA.length(doc)).toBe(3);
    expect(RGA.get(doc, 1)).toBe('😀');
    const d2 = RGA.merge(doc, RGA.deleteText(doc, A, 1, 1));
    expect(RGA.text(d2)).toBe('ab');
  });
});

describe('JSON values', () => {
  test('values are copied and frozen; callers cannot change the state', () => {
    const value = { list: [1, 2], nested: { x: 'y' } };
    const doc = RGA.insertAt(RGA.bottom, A, 0, [value, 5, null, 'two chars']);
    value.list.push(3);
    const stored = RGA.get(doc, 0) as { list: number[] };
    expect(stored).toEqual({ list: [1, 2], nested: { x: 'y' } });
    expect(Object.isFrozen(stored) && Object.isFrozen(stored.list)).toBe(true);
    expect(RGA.toArray(doc)).toEqual([{ list: [1, 2], nested: { x: 'y' } }, 5, null, 'two chars']);
    expect(() => RGA.text(doc)).toThrow(InvalidValueError);
  });
});

describe('bad input throws typed errors and changes nothing', () => {
  const doc = RGA.insertText(RGA.bottom, A, 0, 'abc');
  const before = RGA.encode(doc);
  test.each([
    ['insert index past the end', () => RGA.insertText(doc, A, 4, 'x'), RangeError],
    ['negative insert index', () => RGA.insertAt(doc, A, -1, [1]), RangeError],
    ['fractional index', () => RGA.insertAt(doc, A, 0.5, [1]), RangeError],
    ['delete past the end', () => RGA.deleteAt(doc, A, 2, 2), RangeError],
    ['negative count', () => RGA.deleteAt(doc, A, 0, -1), RangeError],
    ['get past the end', () => RGA.get(doc, 3), RangeError],
    ['idAt past the end', () => RGA.idAt(doc, 3), RangeError],
    ['NaN value', () => RGA.insertAt(doc, A, 0, [Number.NaN]), InvalidValueError],
    ['undefined value', () => RGA.insertAt(doc, A, 0, [undefined as unknown as JsonValue]), InvalidValueError],
    ['class instance', () => RGA.insertAt(doc, A, 0, [new Date() as unknown as JsonValue]), InvalidValueError],
    ['lone surrogate in text', () => RGA.insertText(doc, A, 0, '\uD800'), InvalidValueError],
    ['values not an array', () => RGA.insertAt(doc, A, 0, 'abc' as unknown as JsonValue[]), InvalidValueError],
    ['bad replica id', () => RGA.insertText(doc, '' as ReplicaId, 0, 'x'), InvalidReplicaIdError],
  ])('%s', (_name, run, error) => {
    expect(run).toThrow(error);
    expect(RGA.encode(doc)).toEqual(before);
  });

  test('empty edits are the bottom delta', () => {
    expect(RGA.equals(RGA.insertText(doc, A, 1, ''), RGA.bottom)).toBe(true);
    expect(RGA.equals(RGA.deleteAt(doc, A, 1, 0), RGA.bottom)).toBe(true);
  });
});

test('model check: one replica matches Array.splice, through the codecs', () => {
  const edit = fc.oneof(
    fc.record({ at: fc.nat(), insert: fc.array(fc.oneof(fc.constantFrom('a', 'b', '😀'), fc.integer(), fc.constant(null)), { maxLength: 4 }) }),
    fc.record({ at: fc.nat(), remove: fc.nat(5) }),
  );
  fc.assert(
    fc.property(fc.array(edit, { maxLength: 40 }), (edits) => {
      let doc = RGA.bottom;
      const model: JsonValue[] = [];
      for (const e of edits) {
        const at = e.at % (model.length + 1);
        if ('insert' in e) {
          doc = RGA.merge(doc, RGA.insertAt(doc, A, at, e.insert));
          model.splice(at, 0, ...e.insert);
        } else {
          const count = Math.min(e.remove, model.length - at);
          doc = RGA.merge(doc, RGA.deleteAt(doc, A, at, count));
          model.splice(at, count);
        }
        expect(RGA.length(doc)).toBe(model.length);
      }
      expect(RGA.toArray(doc)).toEqual(model);
      model.forEach((v, i) => expect(RGA.indexOf(doc, RGA.idAt(doc, i))).toBe(i));
      expect(RGA.equals(RGA.decode(RGA.encode(doc)), doc)).toBe(true);
    }),
    {
      numRuns: 300,
      // Regression: runs of one byte each (deleted, resuming their chain) once counted as too many.
      examples: [[[{ at: 0, insert: ['a', 'a', 'a', 0] }, { at: 0, remove: 1 }, { at: 9, insert: [null, 'a'] }, { at: 4, remove: 1 }, { at: 0, remove: 2 }]]],
    },
  );
});

test('merging a delta into the state it was made from (the fast path) equals the general merge', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom('x', 'yz', '')), { maxLength: 60 }), (edits) => {
      const r = new Replica(A).insert(0, 'abc');
      const other = new Replica(B).receive(r).insert(1, 'q');
      r.receive(other);
      for (const [at, removed, added] of edits) {
        const length = RGA.length(r.state);
        const delta =
          removed > 0 && length > 0
            ? RGA.deleteText(r.state, A, at % length, Math.min(removed, length - (at % length)))
            : RGA.insertText(r.state, A, at % (length + 1), added);
        // A decoded copy is equal but not identical, so it takes the general path.
        const general = RGA.merge(RGA.decode(RGA.encode(r.state)), delta);
        r.state = RGA.merge(r.state, delta);
        expect(RGA.equals(r.state, general)).toBe(true);
      }
    }),
    { numRuns: 300 },
  );
});

describe('edit: many edits in one step', () => {
  const step = fc.oneof(
    fc.record({ at: fc.nat(), text: fc.constantFrom('x', 'yz', '😀!', '') }),
    fc.record({ at: fc.nat(), values: fc.array(fc.oneof(fc.constantFrom('a', '😀'), fc.integer(), fc.constant(null)), { maxLength: 3 }) }),
    fc.record({ at: fc.nat(), remove: fc.nat(4) }),
  );
  type Step = { at: number; text: string } | { at: number; values: JsonValue[] } | { at: number; remove: number };
  // Applies a step through either API, at an index valid for `length`.
  const apply = (length: number, s: Step, api: { insertText(i: number, t: string): void; insertAt(i: number, v: JsonValue[]): void; deleteAt(i: number, n: number): void }) => {
    if ('remove' in s) {
      if (length > 0) api.deleteAt(s.at % length, Math.min(s.remove, length - (s.at % length)));
    } else if ('text' in s) api.insertText(s.at % (length + 1), s.text);
    else api.insertAt(s.at % (length + 1), s.values);
  };

  test('gives the state and the delta that edit-by-edit mutators and merges give', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.array(step, { maxLength: 8 }), (before, steps) => {
        // A start with another replica's text, so that origins lie outside the batch.
        const other = new Replica(B);
        for (const s of before) apply(RGA.length(other.state), s, { insertText: (i, t) => other.insert(i, t), insertAt: (i, v) => other.apply(RGA.insertAt(other.state, B, i, v)), deleteAt: (i, n) => other.remove(i, n) });
        const start = other.state;
        const startBytes = RGA.encode(start);
        const one = new Replica(A).receive(other);
        const { state, delta } = RGA.edit(start, A, (e) => {
          for (const s of steps) apply(e.length, s, e);
        });
        for (const s of steps) apply(RGA.length(one.state), s, { insertText: (i, t) => one.insert(i, t), insertAt: (i, v) => one.apply(RGA.insertAt(one.state, A, i, v)), deleteAt: (i, n) => one.remove(i, n) });
        expect(RGA.equals(state, one.state)).toBe(true);
        // The delta does what all the single deltas do, wherever it is merged.
        expect(RGA.equals(RGA.merge(start, delta), one.state)).toBe(true);
        const elsewhere = RGA.insertText(RGA.bottom, C, 0, 'elsewhere');
        expect(RGA.equals(RGA.merge(elsewhere, RGA.merge(start, delta)), RGA.merge(elsewhere, one.state))).toBe(true);
        // The input state is untouched.
        expect(RGA.encode(start)).toEqual(startBytes);
      }),
      { numRuns: 300 },
    );
  });

  test('an editor is closed once edit returns, and a failed edit applies nothing', () => {
    let kept: RGA.Editor | undefined;
    const { state } = RGA.edit(RGA.bottom, A, (e) => {
      e.insertText(0, 'ab');
      kept = e;
    });
    expect(() => kept!.insertText(0, 'x')).toThrow(ConvergentError);
    expect(RGA.text(state)).toBe('ab');
    const before = RGA.encode(state);
    expect(() =>
      RGA.edit(state, A, (e) => {
        e.deleteText(0, 1);
        e.insertText(99, 'x');
      }),
    ).toThrow(RangeError);
    expect(RGA.encode(state)).toEqual(before);
    expect(() => RGA.edit(state, A, (e) => e.insertAt(0, [undefined as unknown as JsonValue]))).toThrow(InvalidValueError);
    expect(() => RGA.edit(state, '' as ReplicaId, () => {})).toThrow(InvalidReplicaIdError);
  });

  test('regression: an editor stayed usable after its edit callback threw', () => {
    let kept: RGA.Editor | undefined;
    const doc = RGA.insertText(RGA.bottom, A, 0, 'ab');
    expect(() =>
      RGA.edit(doc, A, (e) => {
        kept = e;
        e.insertText(0, 'x');
        throw new Error('the callback fails');
      }),
    ).toThrow('the callback fails');
    expect(() => kept!.insertText(0, 'y')).toThrow(ConvergentError);
    expect(() => kept!.deleteAt(0)).toThrow(ConvergentError);
    expect(() => kept!.length).toThrow(ConvergentError);
    expect(RGA.text(doc)).toBe('ab');
  });

  test('no edits: the same state and an empty delta', () => {
    const doc = RGA.insertText(RGA.bottom, A, 0, 'x');
    const { state, delta } = RGA.edit(doc, A, () => {});
    expect(RGA.equals(state, doc)).toBe(true);
    expect(RGA.equals(delta, RGA.bottom)).toBe(true);
  });
});

test('equals and leq agree with the canonical bytes, on states with tombstones and pending runs', () => {
  const bytes = (s: RGA.RGA) => Buffer.from(RGA.encode(s)).toString('hex');
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(), fc.oneof(fc.constantFrom('a', 'bc'), fc.nat(2)), fc.nat(3)), { maxLength: 25 }), (steps) => {
      const replicas = [new Replica(A), new Replica(B), new Replica(C)];
      const states: RGA.RGA[] = [RGA.bottom];
      for (const [who, at, what, sync] of steps) {
        const r = replicas[who]!;
        const n = RGA.length(r.state);
        if (typeof what === 'string') r.insert(at % (n + 1), what);
        else if (n > 0) r.remove(at % n, Math.min(what + 1, n - (at % n)));
        if (sync < replicas.length) r.receive(replicas[sync]!);
        states.push(r.state, r.sent.at(-1) ?? RGA.bottom);
      }
      // Deltas merged out of order leave runs pending.
      states.push(replicas[0]!.sent.reduce((s, d, i) => (i % 2 ? RGA.merge(s, d) : s), RGA.bottom));
      for (const a of states)
        for (const b of states) {
          expect(RGA.equals(a, b)).toBe(bytes(a) === bytes(b));
          expect(RGA.leq(a, b)).toBe(bytes(RGA.merge(a, b)) === bytes(b));
        }
    }),
    { numRuns: 150 },
  );
});

test('old states are untouched by later edits (immutability)', () => {
  const r = new Replica(A).type(0, 'abcdef');
  const snapshots = [r.state];
  const bytes = [RGA.encode(r.state)];
  for (let i = 0; i < 400; i++) {
    // Edits all over the document, so that chunks split and are shared between states.
    r.insert((i * 7919) % (RGA.length(r.state) + 1), String.fromCharCode(97 + (i % 26)));
    if (i % 3 === 0) r.remove((i * 104729) % RGA.length(r.state), 1);
    snapshots.push(r.state);
    bytes.push(RGA.encode(r.state));
  }
  snapshots.forEach((s, i) => expect(RGA.encode(s)).toEqual(bytes[i]));
});

test('merging an older state again sees none of the merges made from it since (pending runs)', () => {
  // A late joiner receives deltas out of order, so most of its elements wait pending.
  const r = new Replica(A);
  for (let i = 0; i < 700; i++) r.insert((i * 7919) % (RGA.length(r.state) + 1), String.fromCharCode(97 + (i % 26)));
  // A fixed permutation of the deltas (337 and 700 are coprime).
  const deltas = r.sent.map((_, i) => r.sent[(i * 337) % r.sent.length]!);
  const chain = [RGA.bottom];
  const bytes = [RGA.encode(RGA.bottom)];
  for (let i = 0; i < deltas.length; i++) {
    // x1 = merge(x0, d1); x2 = merge(x1, d2); then merge(x1, d3) must not see d2.
    const next = RGA.merge(chain[i]!, deltas[i]!);
    chain.push(next);
    bytes.push(RGA.encode(next));
    if (i > 0 && i % 7 === 0) {
      const older = chain[i]!;
      const forked = RGA.merge(older, deltas[(i + 350) % deltas.length]!);
      const fresh = RGA.merge(RGA.decode(bytes[i]!), deltas[(i + 350) % deltas.length]!);
      expect(RGA.encode(forked)).toEqual(RGA.encode(fresh));
      expect(RGA.encode(older)).toEqual(bytes[i]);
    }
  }
  expect(RGA.toJSON(chain[350]!).pending.length).toBeGreaterThan(100);
  chain.forEach((s, i) => expect(RGA.encode(s)).toEqual(bytes[i]));
  expect(RGA.text(chain.at(-1)!)).toBe(RGA.text(r.state));
});

// Checked-in bytes: a format change that breaks stored data fails here.
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const golden: Array<{ name: string; state: () => RGA.RGA; hex: string }> = [
  { name: 'bottom', state: () => RGA.bottom, hex: '0300000000000000' },
  { name: '"hi" by A', state: () => RGA.insertText(RGA.bottom, A, 0, 'hi'), hex: '030101410268690044a0fc000000' },
  {
    name: 'HelloWorld with an edit and a deletion',
    state: () => {
      const a = new Replica(A).type(0, 'Hello');
      const b = new Replica(B).insert(0, 'World');
      a.receive(b).remove(0, 2).insert(3, '!');
      return a.state;
    },
    hex: '03020141014209726c642148656c6c6f0064a4446b3b8be7314c0000',
  },
  {
    name: 'values and a pending run',
    state: () => {
      const a = new Replica(A).insert(0, 'ab');
      const doc = RGA.merge(a.state, RGA.insertAt(a.state, A, 1, [1, { k: [true] }]));
      // C's "z" follows a "q" this state never received: it is held pending.
      const c = new Replica(C).insert(0, 'q').insert(1, 'z');
      return RGA.merge(doc, c.sent[1]!);
    },
    hex: '0302014101430361627a0201310c7b226b223a5b747275655d7d624a0709221244000000',
  },
];

describe('golden vectors', () => {
  test.each(golden)('$name', ({ state, hex: expected }) => {
    expect(hex(RGA.encode(state()))).toBe(expected);
    expect(RGA.equals(RGA.decode(unhex(expected)), state())).toBe(true);
  });
});

test('the pending run of the golden vector is visible in JSON', () => {
  const doc = golden[3]!.state();
  expect(RGA.toJSON(doc)).toEqual({
    runs: [['A', 1, null, 'a'], ['A', 3, ['A', 1], [1, { k: [true] }]], ['A', 2, ['A', 1], 'b']],
    pending: [['C', 2, ['C', 1], 'z']],
  });
  expect(RGA.toArray(doc)).toEqual(['a', 1, { k: [true] }, 'b']);
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const run = (r: string, c: number, origin: [string, number] | null, content: unknown) => [r, c, origin, content];
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['missing pending', { runs: [] }],
    ['run not an array', { runs: [5], pending: [] }],
    ['run of 3', { runs: [['A', 1, null]], pending: [] }],
    ['counter 0', { runs: [run('A', 0, null, 'a')], pending: [] }],
    ['empty text', { runs: [run('A', 1, null, '')], pending: [] }],
    ['zero deleted', { runs: [run('A', 1, null, 0)], pending: [] }],
    ['bad replica', { runs: [run('__proto__', 1, null, 'a')], pending: [] }],
    ['not RGA order (B ties after A)', { runs: [run('A', 1, null, 'a'), run('B', 1, null, 'b')], pending: [] }],
    ['newer sibling after older', { runs: [run('A', 1, null, 'a'), run('A', 2, null, 'b')], pending: [] }],
    ['not maximal', { runs: [run('A', 1, null, 'a'), run('A', 2, ['A', 1], 'b')], pending: [] }],
    ['origin after the run', { runs: [run('A', 2, ['A', 1], 'b'), run('A', 1, null, 'a')], pending: [] }],
    ['origin missing', { runs: [run('A', 2, ['B', 1], 'b')], pending: [] }],
    ['origin not older', { runs: [run('B', 1, null, 'b'), run('A', 1, ['B', 1], 'a')], pending: [] }],
    ['duplicate identity', { runs: [run('A', 1, null, 'ab'), run('A', 2, ['A', 1], 1)], pending: [] }],
    ['pending with a known origin', { runs: [run('A', 1, null, 'a')], pending: [run('B', 5, ['A', 1], 'x')] }],
    ['pending at the head', { runs: [], pending: [run('B', 5, null, 'x')] }],
    ['pending not sorted', { runs: [], pending: [run('B', 5, ['Q', 1], 'x'), run('A', 5, ['Q', 1], 'x')] }],
    ['a character stored as a value', { runs: [run('A', 1, null, ['a'])], pending: [] }],
    ['surrogates in text', { runs: [run('A', 1, null, '😀')], pending: [] }],
    ['not a JSON value', { runs: [run('A', 1, null, [{ a: undefined }])], pending: [] }],
  ];
  test.each(cases)('%s', (_name, json) => {
    expect(() => RGA.fromJSON(json)).toThrow(DecodeError);
  });
});

/** The runs of states given as JSON, one by one into an empty state in counter order (as merge did before it took them in list order). */
const integrated = (...states: RGA.RGAJSON[]): string => {
  const pieces = states.flatMap((json) =>
    [...json.runs, ...json.pending].map(([r, c, origin, v]) =>
      mk(r as ReplicaId, c, typeof v === 'number' ? v : v.length, origin ? (origin[0] as ReplicaId) : null, origin ? origin[1] : 0, typeof v === 'number' ? null : v),
    ),
  );
  return JSON.stringify(RGA.toJSON(integrate(pieces.sort((a, b) => a.c - b.c || (a.r < b.r ? -1 : a.r > b.r ? 1 : 0)))));
};

describe('large merges of states that share no chunks (run by run in list order)', () => {
  // Three replicas typing at random places, syncing now and then: states of hundreds of runs.
  const history = fc.tuple(fc.array(fc.tuple(fc.nat(2), fc.nat(), fc.oneof(fc.constantFrom('a', 'bc'), fc.nat(2))), { minLength: 150, maxLength: 300 }), fc.nat(40));
  const play = (edits: Array<[number, number, string | number]>, syncEvery: number): Replica[] => {
    const replicas = [new Replica(A), new Replica(B), new Replica(C)];
    edits.forEach(([who, at, what], i) => {
      const r = replicas[who]!;
      const index = at % (RGA.length(r.state) + 1);
      if (typeof what === 'string') r.type(index, what);
      else if (index < RGA.length(r.state)) r.remove(index, Math.min(what + 1, RGA.length(r.state) - index));
      if (syncEvery > 0 && i % (syncEvery + 10) === 0) replicas[(who + 1) % 3]!.receive(r);
    });
    return replicas;
  };
  test('equal integrating every run one by one, and are upper bounds (leq)', () => {
    fc.assert(
      fc.property(history, ([edits, syncEvery]) => {
        const [a, b, c] = play(edits, syncEvery);
        // Decoded copies share no chunks; a late delta of c's leaves pending runs.
        const last = c!.sent.at(-1);
        const x = RGA.decode(RGA.encode(last === undefined ? a!.state : RGA.merge(a!.state, last)));
        const y = RGA.decode(RGA.encode(b!.state));
        const merged = RGA.merge(x, y);
        expect(JSON.stringify(RGA.toJSON(merged))).toBe(integrated(RGA.toJSON(x), RGA.toJSON(y)));
        expect(RGA.equals(merged, RGA.merge(y, x))).toBe(true);
        expect(RGA.leq(x, merged) && RGA.leq(y, merged)).toBe(true);
        expect(RGA.leq(merged, x)).toBe(RGA.equals(merged, x));
      }),
      { numRuns: 25 },
    );
  });
  test('two unrelated documents, and a document with its own copy', () => {
    const typed = (id: ReplicaId): RGA.RGA => {
      const { state } = RGA.edit(RGA.bottom, id, (e) => {
        for (let i = 0; e.length < 5000; i++) {
          e.insertText((i * 7919) % (e.length + 1), 'abc'.slice(0, 1 + (i % 3)));
          if (i % 4 === 3) e.deleteText((i * 104729) % e.length, 1);
        }
      });
      return state;
    };
    const x = typed(A);
    const y = typed(B);
    const merged = RGA.merge(x, y);
    expect(JSON.stringify(RGA.toJSON(merged))).toBe(integrated(RGA.toJSON(x), RGA.toJSON(y)));
    expect(RGA.length(merged)).toBe(RGA.length(x) + RGA.length(y));
    expect(RGA.leq(x, merged) && RGA.leq(y, merged) && !RGA.leq(merged, x)).toBe(true);
    const copy = RGA.decode(RGA.encode(x));
    expect(RGA.equals(RGA.merge(x, copy), x)).toBe(true);
    expect(RGA.leq(copy, x) && RGA.leq(x, copy)).toBe(true);
  });
});

describe('the decoders\' one-pass validation agrees with integration', () => {
  // The reference: every run newer than its origin (Lamport counters), and integrating
  // every run in counter order gives back exactly the input, in canonical form.
  const accepts = (json: RGA.RGAJSON): boolean => {
    try {
      RGA.fromJSON(json);
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      return false;
    }
  };
  // A document with three replicas, concurrent inserts at one place, tombstones and a pending run.
  const a = new Replica(A).type(0, 'the quick fox');
  const b = new Replica(B).receive(a).insert(4, 'very ').type(9, 'ab').remove(0, 4);
  const c = new Replica(C).receive(a).insert(4, 'red ').type(4, 'xy').remove(6, 3);
  const late = new Replica(asReplicaId('D')).insert(0, 'q').insert(1, 'z');
  const base = RGA.toJSON(RGA.merge(RGA.merge(RGA.merge(b.state, c.state), a.state), late.sent[1]!));
  const mutation = fc.oneof(
    fc.record({ swap: fc.nat() }),
    fc.record({ run: fc.nat(), origin: fc.option(fc.tuple(fc.nat(), fc.nat())) }),
    fc.record({ run: fc.nat(), counter: fc.integer({ min: -3, max: 3 }) }),
    fc.record({ run: fc.nat(), replica: fc.constantFrom('A', 'B', 'C', 'D') }),
    fc.record({ toPending: fc.nat() }),
  );
  test('on mutated documents, both accept exactly the same inputs', () => {
    expect(accepts(base)).toBe(true);
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 2 }), (mutations) => {
        const json: RGA.RGAJSON = structuredClone(base);
        const runs = json.runs;
        for (const m of mutations) {
          if ('swap' in m) {
            const i = m.swap % (runs.length - 1);
            [runs[i], runs[i + 1]] = [runs[i + 1]!, runs[i]!];
          } else if ('origin' in m) {
            const target = m.origin === null ? null : runs[m.origin[0] % runs.length]!;
            runs[m.run % runs.length]![2] = target === null ? null : [target[0], target[1] + (m.origin![1] % 3)];
          } else if ('counter' in m) runs[m.run % runs.length]![1] = Math.max(1, runs[m.run % runs.length]![1] + m.counter);
          else if ('replica' in m) runs[m.run % runs.length]![0] = m.replica;
          else json.pending.push(...runs.splice(m.toPending % runs.length, 1));
        }
        const valid = [...json.runs, ...json.pending].every(([, c, origin]) => origin === null || origin[1] < c) && integrated(json) === JSON.stringify(json);
        if (!valid) rejected++;
        expect(accepts(json)).toBe(valid);
      }),
      { numRuns: 3000 },
    );
    // The mutations must exercise both answers.
    expect(rejected).toBeGreaterThan(100);
    expect(rejected).toBeLessThan(2900); // with 3000 runs: some mutations keep a valid document
  });
  test('on random multi-replica histories, both accept the result', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(), fc.oneof(fc.constantFrom('a', 'bc', 'def'), fc.nat(3))), { maxLength: 30 }), fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { maxLength: 10 }), (edits, syncs) => {
        const replicas = [new Replica(A), new Replica(B), new Replica(C)];
        edits.forEach(([who, at, what], i) => {
          const r = replicas[who]!;
          const index = at % (RGA.length(r.state) + 1);
          if (typeof what === 'string') r.insert(index, what);
          else if (index < RGA.length(r.state)) r.remove(index, Math.min(what + 1, RGA.length(r.state) - index));
          const sync = syncs[i % Math.max(1, syncs.length)];
          if (sync !== undefined) replicas[sync[0]]!.receive(replicas[sync[1]]!);
        });
        // One replica's last delta alone may wait for its origin: pending runs too.
        const last = replicas[0]!.sent.at(-1);
        const state = last === undefined ? replicas[1]!.state : RGA.merge(replicas[1]!.state, last);
        const json = RGA.toJSON(state);
        expect(integrated(json)).toBe(JSON.stringify(json));
        expect(RGA.equals(RGA.fromJSON(json), state)).toBe(true);
        expect(RGA.equals(RGA.decode(RGA.encode(state)), state)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('decode rejects bad input with DecodeError', () => {
  const good = RGA.encode(golden[2]!.state());
  // Writes the format from chosen parts, so that a case can hold what `encode` never writes.
  const run = (kind: number, source: number, entries: number, counter: number, length = 1, back = 0): CodedRun => ({ kind, source, entries, back, replica: 0, counter, length });
  const parts = (ids: string[], text: string, list: CodedRun[], pending: number[][] = [], values: JsonValue[] = []): Uint8Array => {
    const writer = new Writer().byte(3);
    writeParts(writer, ids, text, values, list, pending);
    return writer.finish();
  };
  const TEXT = 1;
  const DELETED = 0;
  const VALUES = 2;
  // source: 0 resumes its origin's chain, 1 the previous run's replica, 2 the replica coded.
  const a1 = run(TEXT, 2, 0, 0); // A1 "a" at the head
  const cases: Array<[string, Uint8Array, string]> = [
    ['empty input', new Uint8Array(), 'truncated'],
    ['unknown version', unhex('0200000000'), 'unknown version'],
    ['trailing bytes', unhex(golden[0]!.hex + '00'), 'trailing'],
    ['truncated', good.slice(0, good.length - 1), 'truncated'],
    ['a run stream not ended where it was flushed', unhex('0300000000000001'), 'non-canonical run stream'],
    ['a run stream starting past its range', unhex('03000000ffffffff'), 'bad run stream'],
    ['unused replica id', parts(['A'], '', []), 'unused replica id'],
    ['replica ids not sorted', parts(['B', 'A'], 'a', [a1]), 'unsorted ids'],
    ['a kind past 2', parts(['A'], 'a', [run(3, 2, 0, 0)]), 'value too large'],
    ['a replica index past the ids', parts(['A'], 'a', [{ ...a1, replica: 1 }]), 'value too large'],
    ['text longer than the runs', parts(['A'], 'abc', [a1]), 'text left over'],
    ['text shorter than the runs', parts(['A'], 'a', [run(TEXT, 2, 0, 0, 2)]), 'bad text'],
    ['values left over', parts(['A'], 'a', [a1], [], [1]), 'values left over'],
    ['a run of 2 with one value', parts(['A'], '', [run(VALUES, 2, 0, 0, 2)], [], [1]), 'bad values'],
    ['a surrogate pair stored as text', parts(['A'], '😀', [run(TEXT, 2, 0, 0, 2)]), 'bad text'],
    // A3 after A1 keeps the previous run's replica, so coding it again is not canonical.
    ['a replica coded where implied', parts(['A'], 'ab', [a1, run(TEXT, 2, 0, 1)]), 'non-canonical run'],
    ['a run resuming the head', parts(['A'], 'a', [run(TEXT, 0, 0, 0)]), 'non-canonical run'],
    // A1 then A2 both after the head: the newer comes first.
    ["head's children oldest first", parts(['A'], 'ab', [a1, run(TEXT, 1, 1, 1)]), 'not in RGA order'],
    ['an origin that is not an ancestor', parts(['A'], 'a', [run(TEXT, 2, 2, 0)]), 'bad origin'],
    ['an origin further back than its run', parts(['A'], 'a', [run(TEXT, 2, 0, 0, 1, 1)]), 'bad origin'],
    // A5 "a", A7 "c" after it, then A6-A7 deleted after A5: A7 twice.
    ['an identity twice, in two branches', parts(['A'], 'ac', [run(TEXT, 2, 0, 4), run(TEXT, 1, 0, 1), run(DELETED, 0, 1, 0, 2)]), 'identity twice'],
    ['a pending run whose origin is in the list', parts(['A', 'B'], 'ab', [a1], [[TEXT, 1, 1, 0, 0, 0]]), 'bad pending run'],
  ];
  test.each(cases)('%s', (_name, bytes, message) => {
    expect(() => RGA.decode(bytes)).toThrow(DecodeError);
    expect(() => RGA.decode(bytes)).toThrow(message);
  });
  test.each([
    ['ab', parts(['A'], 'ab', [a1, run(TEXT, 1, 0, 1)])],
    ['ba', parts(['A'], 'ba', [run(TEXT, 2, 0, 1), run(TEXT, 1, 1, 0)])],
    ['ac', parts(['A'], 'ac', [run(TEXT, 2, 0, 4), run(TEXT, 1, 0, 1), run(DELETED, 0, 1, 0, 1)])],
    ['ab', parts(['A', 'B'], 'ab', [a1], [[TEXT, 1, 1, 0, 1, 0]])],
  ])('the well-formed siblings of these cases decode: %s', (text, bytes) => {
    const doc = RGA.decode(bytes);
    expect(RGA.text(doc) + RGA.toJSON(doc).pending.map((p) => p[3]).join('')).toBe(text);
    expect(RGA.encode(doc)).toEqual(bytes);
  });
  test('not a Uint8Array', () => {
    expect(() => RGA.decode('01' as unknown as Uint8Array)).toThrow(DecodeError);
  });
  test('counters up to Number.MAX_SAFE_INTEGER round-trip, in the list and pending', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const doc = RGA.fromJSON({ runs: [['A', max, null, 'a']], pending: [['B', max, ['Q', 1], 'x']] });
    expect(RGA.toJSON(RGA.decode(RGA.encode(doc)))).toEqual(RGA.toJSON(doc));
  });
  test('the number of runs is bounded by limits.maxCount', () => {
    // "abcdefghij" with every other letter deleted: ten runs of one element.
    const a = new Replica(A).type(0, 'abcdefghij');
    for (let i = 1; i <= 5; i++) a.remove(i, 1);
    const bytes = RGA.encode(a.state);
    expect(RGA.toJSON(a.state).runs.length).toBe(10);
    expect(RGA.text(RGA.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 10 }))).toBe('acegi');
    expect(() => RGA.decode(bytes, { ...DEFAULT_LIMITS, maxCount: 9 })).toThrow('value too large');
  });
});

test('fuzz: mutated encodings of a real document decode to a valid state or throw DecodeError', () => {
  // A document with several replicas, tombstones, values and a pending run.
  const a = new Replica(A).type(0, 'the quick brown fox');
  const b = new Replica(B).receive(a).insert(4, 'very ').remove(0, 4);
  const c = new Replica(C).receive(a, b);
  c.state = RGA.merge(c.state, RGA.insertAt(c.state, C, 3, [1, { x: [null] }]));
  const late = new Replica(asReplicaId('D')).insert(0, 'q').insert(1, 'z');
  const doc = RGA.merge(RGA.merge(c.state, a.state), late.sent[1]!);
  const bytes = RGA.encode(doc);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (flips, cut) => {
      const mutated = bytes.slice(0, bytes.length - (cut % 3));
      for (const [at, flip] of flips) mutated[at % mutated.length]! ^= flip;
      let decoded: RGA.RGA;
      try {
        decoded = RGA.decode(mutated);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        return;
      }
      expect(RGA.equals(RGA.decode(RGA.encode(decoded)), decoded)).toBe(true);
    }),
    { numRuns: 2000 },
  );
});
