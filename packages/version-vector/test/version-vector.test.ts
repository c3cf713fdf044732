import { asReplicaId, DecodeError, Reader, Writer, type ReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as VersionVector from '../src/index.js';
import { DotContext, type Dot } from '../src/index.js';

const id = (s: string): ReplicaId => asReplicaId(s);
const vv = (entries: Record<string, number>): VersionVector.VersionVector =>
  Object.entries(entries).reduce((v, [r, n]) => {
    for (let i = 0; i < n; i++) v = VersionVector.increment(v, id(r));
    return v;
  }, VersionVector.bottom);
const dot = (replica: string, counter: number): Dot => ({ replica: id(replica), counter });

describe('seed examples', () => {
  test('{Node1: 2, Node2: 0} vs {Node1: 1, Node2: 1} is concurrent and merges to {Node1: 2, Node2: 1}', () => {
    const x = vv({ Node1: 2, Node2: 0 });
    const y = vv({ Node1: 1, Node2: 1 });
    expect(VersionVector.compare(x, y)).toBe('concurrent');
    expect(VersionVector.compare(y, x)).toBe('concurrent');
    expect(VersionVector.toJSON(VersionVector.merge(x, y))).toEqual({ counts: [['Node1', 2], ['Node2', 1]] });
  });

  test("{Node1: 2, Node2: 0} vs {Node1: 1, Node2: 0} is 'after'", () => {
    const x = vv({ Node1: 2, Node2: 0 });
    const y = vv({ Node1: 1, Node2: 0 });
    expect(VersionVector.compare(x, y)).toBe('after');
    expect(VersionVector.compare(y, x)).toBe('before');
    expect(VersionVector.dominates(x, y)).toBe(true);
    expect(VersionVector.dominates(y, x)).toBe(false);
  });

  test('{A: 1, B: 1} vs {C: 1} is concurrent', () => {
    expect(VersionVector.compare(vv({ A: 1, B: 1 }), vv({ C: 1 }))).toBe('concurrent');
  });
});

describe('VersionVector', () => {
  test('compare of equal vectors built differently is equal; neither dominates', () => {
    const x = VersionVector.merge(vv({ A: 1 }), vv({ B: 2 }));
    const y = VersionVector.merge(vv({ B: 2 }), vv({ A: 1 }));
    expect(VersionVector.compare(x, y)).toBe('equal');
    expect(VersionVector.dominates(x, y)).toBe(false);
    expect(VersionVector.compare(VersionVector.bottom, x)).toBe('before');
  });

  test('increment returns the new full vector, not a delta', () => {
    const x = vv({ A: 2, B: 1 });
    expect(VersionVector.toJSON(VersionVector.increment(x, id('A')))).toEqual({ counts: [['A', 3], ['B', 1]] });
  });

  test('increment past MAX_SAFE_INTEGER throws RangeError', () => {
    const full = VersionVector.fromJSON({ counts: [['A', Number.MAX_SAFE_INTEGER]] });
    expect(() => VersionVector.increment(full, id('A'))).toThrow(RangeError);
  });

  test('regression (core countsEqual): vectors with the same replicas and different counts are not equal', () => {
    expect(VersionVector.equals(vv({ A: 1 }), vv({ A: 2 }))).toBe(false);
    expect(VersionVector.equals(vv({ A: 2 }), vv({ A: 1 }))).toBe(false);
    expect(VersionVector.equals(vv({ A: 1, B: 2 }), vv({ A: 1, B: 2 }))).toBe(true);
  });

  test('get of an absent replica is 0', () => {
    expect(VersionVector.get(vv({ A: 1 }), id('B'))).toBe(0);
  });

  test('states are frozen and functions leave inputs untouched', () => {
    const x = vv({ A: 2 });
    const before = VersionVector.encode(x);
    VersionVector.increment(x, id('A'));
    VersionVector.merge(x, vv({ B: 3 }));
    expect(VersionVector.encode(x)).toEqual(before);
    expect(Object.isFrozen(x)).toBe(true);
  });
});

describe('DotContext', () => {
  test('dots received out of order, then the missing one, leave a cloud of size zero', () => {
    let ctx = DotContext.bottom;
    for (const c of [5, 3, 2, 4]) ctx = DotContext.add(ctx, dot('A', c));
    expect(ctx.cloud.get(id('A'))?.size).toBe(4);
    expect(VersionVector.get(ctx.vector, id('A'))).toBe(0);
    ctx = DotContext.add(ctx, dot('A', 1));
    expect(ctx.cloud.size).toBe(0);
    expect(DotContext.toJSON(ctx)).toEqual({ vector: [['A', 5]], cloud: [] });
  });

  test('compaction through merge: each side holds half the dots', () => {
    const odd = DotContext.fromDots([1, 3, 5].map((c) => dot('A', c)));
    const even = DotContext.fromDots([2, 4, 7].map((c) => dot('A', c)));
    const merged = DotContext.merge(odd, even);
    expect(DotContext.toJSON(merged)).toEqual({ vector: [['A', 5]], cloud: [['A', [7]]] });
    expect(DotContext.equals(merged, DotContext.merge(even, odd))).toBe(true);
  });

  test('a dot at or below the vector is already held and adds nothing', () => {
    const ctx = DotContext.fromDots([dot('A', 1), dot('A', 2)]);
    expect(DotContext.add(ctx, dot('A', 2))).toBe(ctx);
    expect(DotContext.has(ctx, dot('A', 1))).toBe(true);
    expect(DotContext.has(ctx, dot('A', 3))).toBe(false);
    expect(DotContext.has(ctx, dot('B', 1))).toBe(false);
  });

  test('next is one past the largest counter seen, cloud included', () => {
    const ctx = DotContext.fromDots([dot('A', 1), dot('A', 9)]);
    expect(DotContext.next(ctx, id('A'))).toEqual(dot('A', 10));
    expect(DotContext.next(ctx, id('B'))).toEqual(dot('B', 1));
  });

  test.each([0, -1, 1.5, Number.NaN, 2 ** 53])('add rejects counter %s with RangeError', (counter) => {
    expect(() => DotContext.add(DotContext.bottom, dot('A', counter))).toThrow(RangeError);
    expect(() => DotContext.fromDots([dot('A', counter)])).toThrow(RangeError);
  });

  test('next past MAX_SAFE_INTEGER throws RangeError', () => {
    const ctx = DotContext.fromDots([dot('A', Number.MAX_SAFE_INTEGER)]);
    expect(() => DotContext.next(ctx, id('A'))).toThrow(RangeError);
  });

  test('leq and equals are about the sets of dots', () => {
    const small = DotContext.fromDots([dot('A', 3)]);
    const big = DotContext.fromDots([dot('A', 1), dot('A', 2), dot('A', 3), dot('B', 2)]);
    expect(DotContext.leq(small, big)).toBe(true);
    expect(DotContext.leq(big, small)).toBe(false);
    expect(DotContext.equals(small, big)).toBe(false);
    expect(DotContext.equals(big, DotContext.merge(small, big))).toBe(true);
  });

  test('regression: contexts with equal vectors but different clouds of one replica are not equal', () => {
    const small = DotContext.fromDots([dot('A', 3)]);
    const big = DotContext.fromDots([dot('A', 3), dot('A', 5)]);
    expect(DotContext.equals(small, big)).toBe(false);
    expect(DotContext.equals(big, small)).toBe(false);
    expect(DotContext.equals(DotContext.fromDots([dot('A', 1)]), DotContext.fromDots([dot('A', 1), dot('A', 2)]))).toBe(false);
  });

  test('contexts are frozen and functions leave inputs untouched', () => {
    const ctx = DotContext.fromDots([dot('A', 1), dot('A', 3)]);
    const before = DotContext.toJSON(ctx);
    DotContext.add(ctx, dot('A', 2));
    DotContext.merge(ctx, DotContext.fromDots([dot('A', 2), dot('B', 5)]));
    expect(DotContext.toJSON(ctx)).toEqual(before);
    expect(Object.isFrozen(ctx)).toBe(true);
    expect(Object.isFrozen(DotContext)).toBe(true);
  });
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// Checked-in bytes: a format change that breaks stored data fails here.
describe('golden vectors', () => {
  const vectors: Array<{ name: string; state: () => VersionVector.VersionVector; hex: string }> = [
    { name: 'bottom', state: () => VersionVector.bottom, hex: '0100' },
    { name: 'Node1:2 Node2:1', state: () => vv({ Node2: 1, Node1: 2 }), hex: '0102054e6f646531020' + '54e6f64653201' },
    { name: 'A:300', state: () => VersionVector.fromJSON({ counts: [['A', 300]] }), hex: '01010141ac02' },
  ];
  test.each(vectors)('VersionVector $name', ({ state, hex: expected }) => {
    expect(hex(VersionVector.encode(state()))).toBe(expected);
    expect(VersionVector.equals(VersionVector.decode(unhex(expected)), state())).toBe(true);
  });

  // VersionVector.encodeDotContext: the version byte 01, then the body that embedding types write.
  const contexts: Array<{ name: string; state: () => DotContext; hex: string }> = [
    { name: 'bottom', state: () => DotContext.bottom, hex: '010000' },
    { name: 'A:1..2', state: () => DotContext.fromDots([dot('A', 2), dot('A', 1)]), hex: '0101014102' + '00' },
    {
      name: 'A:1..2 + A:4, A:7, B:3',
      state: () => DotContext.fromDots([dot('A', 7), dot('B', 3), dot('A', 1), dot('A', 4), dot('A', 2)]),
      hex: '0101014102' + '02' + '0141' + '02' + '01' + '02' + '0142' + '01' + '02',
    },
  ];
  test.each(contexts)('DotContext $name', ({ state, hex: expected }) => {
    expect(hex(VersionVector.encodeDotContext(state()))).toBe(expected);
    expect(DotContext.equals(VersionVector.decodeDotContext(unhex(expected)), state())).toBe(true);
  });
});

describe('decode rejects bad input with DecodeError', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('0200')],
    ['truncated entry', unhex('01010141')],
    ['zero count', unhex('0101014100')],
    ['ids out of order', unhex('01020142010141' + '01')],
    ['repeated id', unhex('01020141010141' + '02')],
    ['trailing bytes', unhex('010000')],
    ['non-canonical varint', unhex('0101014183' + '00')],
    ['__proto__ as id', new Writer().byte(1).uint(1).string('__proto__').uint(1).finish()],
    ['empty id', unhex('01010001')],
  ];
  test.each(cases)('VersionVector: %s', (_name, bytes) => {
    expect(() => VersionVector.decode(bytes)).toThrow(DecodeError);
  });

  const ctxCases: Array<[string, Uint8Array]> = [
    ['missing cloud', unhex('0100')],
    ['cloud entry with no counters', unhex('0100010141' + '00')],
    ['first gap zero (not compacted)', unhex('0100010141' + '0100')],
    ['first gap zero after the vector', unhex('0101014102' + '010141' + '0100')],
    ['cloud ids out of order', unhex('0100020142' + '0101' + '0141' + '0101')],
    ['cloud ids repeated', unhex('0100020141' + '0101' + '0141' + '0102')],
    ['counter count past the bytes left', unhex('0100010141' + '05' + '01')],
    ['counter past MAX_SAFE_INTEGER', new Writer().byte(1).uint(0).uint(1).string('A').uint(2).uint(Number.MAX_SAFE_INTEGER - 1).uint(5).finish()],
    ['trailing bytes', unhex('01000000')],
    ['invalid cloud id', unhex('010001' + '0180' + '0101')],
  ];
  test.each(ctxCases)('DotContext: %s', (_name, bytes) => {
    expect(() => VersionVector.decodeDotContext(bytes)).toThrow(DecodeError);
  });

  test('regression: DotContext had write/read but no encode/decode like every other type (encodeDotContext / decodeDotContext)', () => {
    const ctx = DotContext.fromDots([dot('A', 1), dot('A', 4), dot('B', 2)]);
    const bytes = VersionVector.encodeDotContext(ctx);
    // encode is the version byte, then exactly what write embeds.
    const body = new Writer();
    DotContext.write(body, ctx);
    expect(hex(bytes)).toBe(`01${hex(body.finish())}`);
    expect(DotContext.equals(VersionVector.decodeDotContext(bytes), ctx)).toBe(true);
    expect(() => VersionVector.decodeDotContext('0100' as unknown as Uint8Array)).toThrow(DecodeError);
  });

  test('not a Uint8Array', () => {
    expect(() => VersionVector.decode('0100' as unknown as Uint8Array)).toThrow(DecodeError);
  });

  test('reads only its own bytes when embedded', () => {
    const w = new Writer();
    DotContext.write(w, DotContext.fromDots([dot('A', 3)]));
    w.uint(42);
    const r = new Reader(w.finish());
    DotContext.read(r);
    expect(r.uint()).toBe(42);
  });
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['missing counts', {}],
    ['zero count', { counts: [['A', 0]] }],
    ['__proto__ id', JSON.parse('{"counts": [["__proto__", 1]]}')],
    ['ids out of order', { counts: [['B', 1], ['A', 1]] }],
    ['fractional', { counts: [['A', 1.5]] }],
  ];
  test.each(cases)('VersionVector: %s', (_name, json) => {
    expect(() => VersionVector.fromJSON(json)).toThrow(DecodeError);
  });

  const ctxCases: Array<[string, unknown]> = [
    ['null', null],
    ['missing cloud', { vector: [] }],
    ['missing vector', { cloud: [] }],
    ['inherited fields', Object.create({ vector: [], cloud: [] })],
    ['cloud entry not a pair', { vector: [], cloud: [['A']] }],
    ['cloud entry with no counters', { vector: [], cloud: [['A', []]] }],
    ['counter contiguous with the vector', { vector: [['A', 2]], cloud: [['A', [3]]] }],
    ['counter 1 in the cloud', { vector: [], cloud: [['A', [1]]] }],
    ['counters not ascending', { vector: [], cloud: [['A', [5, 3]]] }],
    ['counters repeated', { vector: [], cloud: [['A', [3, 3]]] }],
    ['cloud ids out of order', { vector: [], cloud: [['B', [3]], ['A', [3]]] }],
    ['counter not a number', { vector: [], cloud: [['A', ['3']]] }],
    ['counter past MAX_SAFE_INTEGER', { vector: [], cloud: [['A', [2 ** 53]]] }],
    ['__proto__ cloud id', JSON.parse('{"vector": [], "cloud": [["__proto__", [3]]]}')],
  ];
  test.each(ctxCases)('DotContext: %s', (_name, json) => {
    expect(() => DotContext.fromJSON(json)).toThrow(DecodeError);
  });

  test('DotContext errors carry the JSON path', () => {
    expect(() => DotContext.fromJSON({ vector: [], cloud: [['A', [1]]] }, '$.context')).toThrow(/\$\.context\.cloud\[0\]/);
  });
});
