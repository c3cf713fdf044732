import { asReplicaId, DecodeError, InvalidValueError, Writer, type JsonValue, type ReplicaId } from '@convergent/core';
import * as HLC from '@convergent/hlc';
import { laws, Network, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as LWWRegister from '../src/index.js';
import { spec } from './spec.js';

type State = LWWRegister.LWWRegister;
const [A, B, C] = ['A', 'B', 'C'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
const HOUR = 3_600_000;
const T0 = 1_763_800_000_000;
const FWW = LWWRegister.firstWriterWins;

const clockAt = (replica: ReplicaId, wall: number, options: HLC.ClockOptions = {}) =>
  new HLC.Clock(replica, { ...options, wallClock: () => wall });
/** Applies a write locally, as a replica does: merge the delta it returns. */
const write = (state: State, clock: HLC.Clock, value: JsonValue) => LWWRegister.merge(state, LWWRegister.set(state, clock, value));

describe('seed example: a clock an hour behind', () => {
  test('a write made after seeing another wins, although its wall clock is an hour behind', () => {
    const server = clockAt(A, T0);
    const laptop = clockAt(B, T0 - HOUR, { maxDrift: 2 * HOUR }); // an hour slow
    const first = write(LWWRegister.bottom, server, 'draft from the server');
    // The laptop receives the server's write, then edits the value.
    let onLaptop = LWWRegister.merge(LWWRegister.bottom, first);
    const edit = LWWRegister.set(onLaptop, laptop, 'edit from the laptop');
    onLaptop = LWWRegister.merge(onLaptop, edit);
    // The edit is causally later, and wins everywhere.
    expect(LWWRegister.get(LWWRegister.merge(first, edit))).toBe('edit from the laptop');
    expect(LWWRegister.get(LWWRegister.merge(edit, first))).toBe('edit from the laptop');
    expect(LWWRegister.toJSON(edit)!.timestamp).toEqual({ wall: T0, logical: 1, replica: 'B' });
    // A register ordered by plain wall-clock time would have dropped it.
    const wallClockWinner = T0 - HOUR > T0 ? 'edit from the laptop' : 'draft from the server';
    expect(wallClockWinner).toBe('draft from the server');
  });

  test('with the default drift bound, the hour-slow replica refuses the timestamp instead, changing nothing', () => {
    const first = write(LWWRegister.bottom, clockAt(A, T0), 'draft');
    const laptop = clockAt(B, T0 - HOUR);
    const before = laptop.last;
    expect(() => LWWRegister.set(first, laptop, 'edit')).toThrow(HLC.ClockDriftError);
    expect(laptop.last).toEqual(before);
    expect(LWWRegister.get(first)).toBe('draft');
  });
});

describe('set and merge', () => {
  test('later writes on one replica win, even with a frozen wall clock', () => {
    const clock = clockAt(A, T0);
    let state = LWWRegister.bottom;
    for (const value of [1, 2, 3]) state = write(state, clock, value);
    expect(LWWRegister.get(state)).toBe(3);
  });

  test('the delta is the new write alone', () => {
    const clock = clockAt(A, T0);
    const state = write(LWWRegister.bottom, clock, 'old');
    const delta = LWWRegister.set(state, clock, 'new');
    expect(LWWRegister.toJSON(delta)).toEqual({ timestamp: { wall: T0, logical: 1, replica: 'A' }, value: 'new' });
  });

  test('concurrent writes: the larger timestamp wins, whatever the merge order', () => {
    const a = write(LWWRegister.bottom, clockAt(A, T0 + 5), 'A later');
    const b = write(LWWRegister.bottom, clockAt(B, T0), 'B earlier');
    const c = write(LWWRegister.bottom, clockAt(C, T0 + 1), 'C');
    for (const merged of [
      LWWRegister.merge(LWWRegister.merge(a, b), c),
      LWWRegister.merge(c, LWWRegister.merge(b, a)),
      LWWRegister.merge(b, LWWRegister.merge(c, a)),
    ])
      expect(LWWRegister.get(merged)).toBe('A later');
  });

  test('equal wall time and counter: the larger replica id wins, on both sides', () => {
    const a = LWWRegister.set(LWWRegister.bottom, clockAt(A, T0), 'from A');
    const b = LWWRegister.set(LWWRegister.bottom, clockAt(B, T0), 'from B');
    expect(LWWRegister.get(LWWRegister.merge(a, b))).toBe('from B');
    expect(LWWRegister.get(LWWRegister.merge(b, a))).toBe('from B');
  });

  test('the law kit still catches the classic bug (keeping the left side on equal wall time and counter)', () => {
    const keepLeftOnTie = (a: State, b: State): State => {
      if (b.timestamp === undefined) return a;
      if (a.timestamp === undefined) return b;
      const [p, q] = [a.timestamp, b.timestamp];
      return q.wall > p.wall || (q.wall === p.wall && q.logical > p.logical) ? b : a;
    };
    const broken: CrdtSpec<State, unknown> = { ...(spec as CrdtSpec<State, unknown>), lattice: { ...LWWRegister, merge: keepLeftOnTie } };
    const commutative = laws(broken, { numRuns: 200, seed: 20261122 }).find((law) => law.name === 'commutative')!;
    expect(() => commutative.run()).toThrow();
  });

  test('two writes with one timestamp (a replica id reused by two tabs) still merge commutatively, by canonical key', () => {
    const x = LWWRegister.fromJSON({ timestamp: { wall: T0, logical: 0, replica: 'A' }, value: 'x' });
    const y = LWWRegister.fromJSON({ timestamp: { wall: T0, logical: 0, replica: 'A' }, value: 'y' });
    expect(LWWRegister.get(LWWRegister.merge(x, y))).toBe('y');
    expect(LWWRegister.get(LWWRegister.merge(y, x))).toBe('y');
    expect(LWWRegister.equals(x, y)).toBe(false);
    expect(LWWRegister.leq(x, y) && !LWWRegister.leq(y, x)).toBe(true);
  });

  test('values are copied, normalized and deeply frozen', () => {
    const mine = { b: [1, { c: 2 }], a: -0 };
    const state = LWWRegister.set(LWWRegister.bottom, clockAt(A, T0), mine);
    mine.b.push(3);
    expect(LWWRegister.get(state)).toEqual({ a: 0, b: [1, { c: 2 }] });
    expect(Object.keys(LWWRegister.get(state) as object)).toEqual(['a', 'b']);
    const value = LWWRegister.get(state) as { b: [number, { c: number }] };
    expect(Object.isFrozen(value) && Object.isFrozen(value.b) && Object.isFrozen(value.b[1])).toBe(true);
    expect(Object.isFrozen(state)).toBe(true);
  });

  test.each([
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['a Map', new Map()],
    ['a function', () => 1],
    ['a nested undefined', { a: undefined }],
  ])('writing %s throws InvalidValueError before the clock moves', (_name, bad) => {
    const clock = clockAt(A, T0);
    expect(() => LWWRegister.set(LWWRegister.bottom, clock, bad as unknown as JsonValue)).toThrow(InvalidValueError);
    expect(() => FWW.set(LWWRegister.bottom, clock, bad as unknown as JsonValue)).toThrow(InvalidValueError);
    expect(clock.last.wall).toBe(0);
  });

  test('null is a value like any other, distinct from unwritten', () => {
    const state = write(LWWRegister.bottom, clockAt(A, T0), null);
    expect(LWWRegister.get(state)).toBeNull();
    expect(LWWRegister.equals(state, LWWRegister.bottom)).toBe(false);
  });

  test('merge and set leave their inputs untouched', () => {
    const clock = clockAt(A, T0);
    const a = write(LWWRegister.bottom, clock, { n: 1 });
    const before = LWWRegister.encode(a);
    LWWRegister.merge(a, write(LWWRegister.bottom, clockAt(B, T0 + 9), 2));
    LWWRegister.set(a, clock, 3);
    expect(LWWRegister.encode(a)).toEqual(before);
  });
});

describe('persistent skewed clocks over a lossy network', () => {
  test('replicas converge on the write with the largest timestamp, and each replica\'s writes land in order', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.integer({ min: -30_000, max: 30_000 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(2), fc.nat(2_000)), { minLength: 1, maxLength: 30 }),
        (seed, skews, ops) => {
          const replicas = [A, B, C];
          let real = T0;
          const clocks = new Map(replicas.map((r, i) => [r, new HLC.Clock(r, { wallClock: () => real + skews[i]! })]));
          const net = new Network({ lattice: LWWRegister, replicas, seed, drop: 0.3, duplicate: 0.2, maxDelay: 3 });
          const deltas: State[] = [];
          ops.forEach(([at, elapse], n) => {
            real += elapse;
            const replica = replicas[at]!;
            const before = net.state(replica);
            const delta = net.update(replica, (state) => LWWRegister.set(state, clocks.get(replica)!, n));
            // A write beats whatever its replica held: no write is lost to its own clock's skew.
            if (!LWWRegister.leq(before, delta) || LWWRegister.equals(before, delta)) throw new Error('write lost locally');
            deltas.push(delta);
            net.tick();
          });
          net.settle();
          const winner = deltas.reduce(LWWRegister.merge, LWWRegister.bottom);
          return net.converged() && LWWRegister.equals(net.state(A), winner);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('first-writer-wins', () => {
  test('concurrent first writes: the earliest timestamp wins, whatever the merge order', () => {
    const a = FWW.set(FWW.bottom, clockAt(A, T0 + 5), 'A');
    const b = FWW.set(FWW.bottom, clockAt(B, T0), 'B first');
    const c = FWW.set(FWW.bottom, clockAt(C, T0 + 1), 'C');
    expect(LWWRegister.get(FWW.merge(FWW.merge(a, b), c))).toBe('B first');
    expect(LWWRegister.get(FWW.merge(c, FWW.merge(b, a)))).toBe('B first');
    // On equal wall time and counter, the smaller replica id wins.
    const a2 = FWW.set(FWW.bottom, clockAt(A, T0), 'A');
    expect(LWWRegister.get(FWW.merge(b, a2))).toBe('A');
  });

  test('a replica that has seen a value does not write', () => {
    const clock = clockAt(A, T0);
    const state = FWW.merge(FWW.bottom, FWW.set(FWW.bottom, clock, 'claimed'));
    expect(FWW.set(state, clockAt(B, T0 + 10), 'too late')).toBe(FWW.bottom);
    expect(LWWRegister.get(FWW.merge(state, FWW.bottom))).toBe('claimed');
  });

  test('a written state is above the unwritten one in both orders', () => {
    const state = FWW.set(FWW.bottom, clockAt(A, T0), 1);
    expect(FWW.leq(FWW.bottom, state) && !FWW.leq(state, FWW.bottom)).toBe(true);
    expect(FWW.merge(state, FWW.bottom)).toBe(state);
    expect(FWW.merge(FWW.bottom, state)).toBe(state);
  });
});

// Checked-in bytes: a format change that breaks stored data fails here.
const golden: Array<{ name: string; state: () => State; hex: string }> = [
  { name: 'unwritten', state: () => LWWRegister.bottom, hex: '0100' },
  { name: 'number at wall 5', state: () => LWWRegister.set(LWWRegister.bottom, clockAt(A, 5), 42), hex: '010105000141023432' },
  {
    name: 'object, realistic timestamp',
    state: () => LWWRegister.set(LWWRegister.bottom, clockAt(asReplicaId('phone'), T0), { theme: 'dark', size: 2 }),
    hex: '010180ccb0d5aa33000570686f6e65197b2273697a65223a322c227468656d65223a226461726b227d',
  },
];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('golden vectors', () => {
  test.each(golden)('$name', ({ state, hex: expected }) => {
    expect(hex(LWWRegister.encode(state()))).toBe(expected);
    expect(LWWRegister.equals(LWWRegister.decode(unhex(expected)), state())).toBe(true);
  });
});

describe('decode rejects bad input with DecodeError', () => {
  const body = (json: string) => new Writer().byte(1).byte(1).uint(5).uint(0).string('A').string(json).finish();
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('0200')],
    ['unknown tag', unhex('0102')],
    ['truncated timestamp', unhex('01010500')],
    ['missing value', unhex('0101050001' + '41')],
    ['value not JSON', body('{')],
    ['value not canonical (unsorted keys)', body('{"b":1,"a":2}')],
    ['value not canonical (whitespace)', body('[1, 2]')],
    ['value too deep', body('['.repeat(70) + ']'.repeat(70))],
    ['invalid replica id', new Writer().byte(1).byte(1).uint(5).uint(0).string('').string('1').finish()],
    ['wall past MAX_WALL', new Writer().byte(1).byte(1).uint(HLC.MAX_WALL + 1).uint(0).string('A').string('1').finish()],
    ['trailing bytes after bottom', unhex('010000')],
    ['trailing bytes after a value', unhex('01010500014101' + '3100')],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => LWWRegister.decode(bytes)).toThrow(DecodeError);
  });

  test('a well-formed body decodes', () => {
    expect(LWWRegister.get(LWWRegister.decode(body('{"a":[1,null]}')))).toEqual({ a: [1, null] });
  });
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const ts = { wall: 5, logical: 0, replica: 'A' };
  const cases: Array<[string, unknown]> = [
    ['undefined', undefined],
    ['a number', 3],
    ['an array', []],
    ['missing timestamp', { value: 1 }],
    ['missing value', { timestamp: ts }],
    ['inherited value', Object.assign(Object.create({ value: 1 }), { timestamp: ts })],
    ['timestamp with negative wall', { timestamp: { ...ts, wall: -1 }, value: 1 }],
    ['timestamp with __proto__ replica', JSON.parse('{"timestamp": {"wall": 5, "logical": 0, "replica": "__proto__"}, "value": 1}')],
    ['value too deep', { timestamp: ts, value: JSON.parse('['.repeat(70) + ']'.repeat(70)) }],
  ];
  test.each(cases)('%s', (_name, json) => {
    expect(() => LWWRegister.fromJSON(json)).toThrow(DecodeError);
  });

  test('errors carry the JSON path', () => {
    expect(() => LWWRegister.fromJSON({ timestamp: { ...ts, logical: 0.5 }, value: 1 })).toThrow('$.timestamp.logical');
  });

  test('a value with a __proto__ key is kept as data, not as a prototype', () => {
    const state = LWWRegister.fromJSON(JSON.parse('{"timestamp": {"wall": 5, "logical": 0, "replica": "A"}, "value": {"__proto__": {"x": 1}}}'));
    const value = LWWRegister.get(state) as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(LWWRegister.equals(LWWRegister.decode(LWWRegister.encode(state)), state)).toBe(true);
  });
});
