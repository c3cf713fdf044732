import { asReplicaId, ConvergentError, DecodeError, Writer, type ReplicaId } from '@convergent/core';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as HLC from '../src/index.js';

const [A, B, C] = ['A', 'B', 'C'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
const HOUR = 3_600_000;
const T0 = 1_763_800_000_000; // 2025-11-22, a realistic wall time

/** A clock whose wall time the test sets by hand. */
function manual(replica: ReplicaId, start: number, options: HLC.ClockOptions = {}) {
  const wall = { time: start };
  const clock = new HLC.Clock(replica, { ...options, wallClock: () => wall.time });
  return { clock, wall };
}

describe('local events', () => {
  test('follow the wall clock, and count within one millisecond', () => {
    const { clock, wall } = manual(A, T0);
    expect(clock.now()).toEqual({ wall: T0, logical: 0, replica: 'A' });
    expect(clock.now()).toEqual({ wall: T0, logical: 1, replica: 'A' });
    wall.time = T0 + 5;
    expect(clock.now()).toEqual({ wall: T0 + 5, logical: 0, replica: 'A' });
  });

  test('keep increasing when the wall clock jumps backwards', () => {
    const { clock, wall } = manual(A, T0);
    const before = clock.now();
    wall.time = T0 - HOUR; // NTP step, or the user changed the time
    const after = clock.now();
    expect(after).toEqual({ wall: T0, logical: 1, replica: 'A' });
    expect(HLC.compare(after, before)).toBeGreaterThan(0);
  });

  test('timestamps are frozen', () => {
    expect(Object.isFrozen(new HLC.Clock(A).now())).toBe(true);
  });

  test('the default wall clock is Date.now', () => {
    const before = Date.now();
    const t = new HLC.Clock(A).now();
    expect(t.wall).toBeGreaterThanOrEqual(before);
    expect(t.wall).toBeLessThanOrEqual(Date.now());
  });

  test('a fresh clock reports wall 0, logical 0 as its last timestamp', () => {
    expect(new HLC.Clock(A).last).toEqual({ wall: 0, logical: 0, replica: 'A' });
  });

  test('a logical counter at its maximum carries into the wall time instead of overflowing', () => {
    const { clock } = manual(A, 10);
    clock.receive(HLC.timestamp(10, HLC.MAX_LOGICAL - 1, B));
    expect(clock.last).toEqual({ wall: 10, logical: HLC.MAX_LOGICAL, replica: 'A' });
    expect(clock.now()).toEqual({ wall: 11, logical: 0, replica: 'A' });
    expect(clock.receive(HLC.timestamp(11, HLC.MAX_LOGICAL, B))).toEqual({ wall: 12, logical: 0, replica: 'A' });
  });

  test.each([Number.NaN, -1, Number.POSITIVE_INFINITY, HLC.MAX_WALL + 1])('a wall clock returning %s throws RangeError and changes nothing', (bad) => {
    const { clock, wall } = manual(A, T0);
    clock.now();
    const last = clock.last;
    wall.time = bad;
    expect(() => clock.now()).toThrow(RangeError);
    expect(() => clock.receive(HLC.timestamp(T0, 0, B))).toThrow(RangeError);
    expect(clock.last).toEqual(last);
  });

  test('fractional wall readings (performance.now style) are floored', () => {
    expect(manual(A, 1000.9).clock.now().wall).toBe(1000);
  });

  test.each([-1, Number.NaN])('maxDrift %s is a RangeError', (maxDrift) => {
    expect(() => new HLC.Clock(A, { maxDrift })).toThrow(RangeError);
  });
});

describe('receive', () => {
  test('a clock behind its peer jumps to the peer’s wall time and counts past it', () => {
    const a = manual(A, T0).clock;
    const b = manual(B, T0 - 30_000).clock; // 30 s behind
    const sent = a.now();
    const got = b.receive(sent);
    expect(got).toEqual({ wall: T0, logical: 1, replica: 'B' });
    expect(HLC.compare(b.now(), sent)).toBeGreaterThan(0);
  });

  test('a clock ahead of its peer keeps its own wall time', () => {
    const b = manual(B, T0 + 10).clock;
    expect(b.receive(HLC.timestamp(T0, 7, A))).toEqual({ wall: T0 + 10, logical: 0, replica: 'B' });
  });

  test('equal wall times take the larger counter plus one', () => {
    const { clock } = manual(B, T0);
    clock.receive(HLC.timestamp(T0, 3, A));
    expect(clock.receive(HLC.timestamp(T0, 1, C))).toEqual({ wall: T0, logical: 5, replica: 'B' });
  });

  test('a timestamp too far in the future throws ClockDriftError and leaves the clock unchanged', () => {
    const { clock } = manual(B, T0);
    clock.now();
    const last = clock.last;
    const bad = HLC.timestamp(T0 + HLC.DEFAULT_MAX_DRIFT + 1, 0, A);
    let caught: unknown;
    try {
      clock.receive(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HLC.ClockDriftError);
    expect(caught).toBeInstanceOf(ConvergentError);
    expect((caught as HLC.ClockDriftError).remote).toBe(bad);
    expect((caught as HLC.ClockDriftError).drift).toBe(HLC.DEFAULT_MAX_DRIFT + 1);
    expect(clock.last).toEqual(last);
    expect(clock.now()).toEqual({ wall: T0, logical: 1, replica: 'B' });
    // Exactly maxDrift ahead is still accepted.
    expect(clock.receive(HLC.timestamp(T0 + HLC.DEFAULT_MAX_DRIFT, 0, A)).wall).toBe(T0 + HLC.DEFAULT_MAX_DRIFT);
  });

  test('maxDrift is configurable, and Infinity accepts anything', () => {
    const strict = manual(B, T0, { maxDrift: 10 }).clock;
    expect(() => strict.receive(HLC.timestamp(T0 + 11, 0, A))).toThrow(HLC.ClockDriftError);
    const lax = manual(B, T0, { maxDrift: Infinity }).clock;
    expect(lax.receive(HLC.timestamp(HLC.MAX_WALL, 0, A)).wall).toBe(HLC.MAX_WALL);
  });

  test('regression: Clock.receive at the largest timestamp with maxDrift: Infinity threw a plain RangeError', () => {
    const { clock } = manual(B, T0, { maxDrift: Infinity });
    const last = clock.last;
    const largest = HLC.timestamp(HLC.MAX_WALL, HLC.MAX_LOGICAL, A);
    let caught: unknown;
    try {
      clock.receive(largest);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HLC.ClockDriftError);
    expect(caught).toBeInstanceOf(ConvergentError);
    expect((caught as HLC.ClockDriftError).remote).toEqual(largest);
    expect((caught as HLC.ClockDriftError).drift).toBe(HLC.MAX_WALL - T0);
    expect(clock.last).toEqual(last);
    // The one just before it is accepted; the clock has then issued the largest timestamp
    // and says so, rather than building an out-of-range one.
    expect(clock.receive(HLC.timestamp(HLC.MAX_WALL, HLC.MAX_LOGICAL - 1, A))).toEqual({ ...largest, replica: B });
    expect(() => clock.now()).toThrow('clock exhausted');
    expect(() => clock.receive(HLC.timestamp(T0, 0, A))).toThrow('clock exhausted');
    expect(clock.last).toEqual({ ...largest, replica: B });
  });

  test('a malformed remote timestamp is a RangeError and changes nothing', () => {
    const { clock } = manual(B, T0);
    const last = clock.last;
    expect(() => clock.receive({ wall: Number.NaN, logical: 0, replica: A })).toThrow(RangeError);
    expect(() => clock.receive({ wall: T0, logical: -1, replica: A })).toThrow(RangeError);
    expect(clock.last).toEqual(last);
  });

  test('resuming after a restart: receive the last persisted timestamp', () => {
    const { clock: before } = manual(A, T0);
    before.now();
    const persisted = HLC.encode(before.now());
    const { clock: after } = manual(A, T0 - 5_000); // the wall clock went back meanwhile
    after.receive(HLC.decode(persisted));
    expect(HLC.compare(after.now(), HLC.decode(persisted))).toBeGreaterThan(0);
  });
});

describe('causality is never inverted', () => {
  type Step = { kind: 'now'; at: number; reading: number } | { kind: 'receive'; at: number; reading: number; message: number };
  const reading = fc.oneof(fc.nat(20), fc.integer({ min: 0, max: 10 * HOUR }), fc.integer({ min: 0, max: 1e13 }));
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('now' as const), at: fc.nat(), reading }),
    fc.record({ kind: fc.constant('receive' as const), at: fc.nat(), reading, message: fc.nat() }),
  );

  test('for any interleaving with arbitrarily skewed wall clocks, a timestamp issued after receiving another is greater', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.constantFrom(0, 1, 1000, HLC.DEFAULT_MAX_DRIFT, Infinity),
        fc.array(step, { maxLength: 60 }),
        (n, maxDrift, steps) => {
          const replicas = [A, B, C, asReplicaId('D')].slice(0, n);
          // Each replica's wall clock reads whatever the step says: skewed, jumping, backwards.
          const readings = replicas.map(() => 0);
          const clocks = replicas.map((r, i) => new HLC.Clock(r, { maxDrift, wallClock: () => readings[i]! }));
          // The greatest timestamp each replica has issued or accepted so far.
          const seen: Array<HLC.Timestamp | undefined> = replicas.map(() => undefined);
          const sent: HLC.Timestamp[] = [];
          const after = (t: HLC.Timestamp, floor: HLC.Timestamp | undefined) => floor === undefined || HLC.compare(t, floor) > 0;
          for (const s of steps) {
            const i = s.at % n;
            const clock = clocks[i]!;
            readings[i] = s.reading;
            if (s.kind === 'now') {
              const t = clock.now();
              if (!after(t, seen[i])) return false;
              seen[i] = t;
              sent.push(t);
            } else if (sent.length > 0) {
              const m = sent[s.message % sent.length]!;
              const last = clock.last;
              let t: HLC.Timestamp;
              try {
                t = clock.receive(m);
              } catch (error) {
                // Rejected only for real drift, and without a trace.
                if (!(error instanceof HLC.ClockDriftError) || !(m.wall - s.reading > maxDrift)) return false;
                if (HLC.compare(clock.last, last) !== 0) return false;
                continue;
              }
              if (!after(t, seen[i]) || !after(t, m)) return false;
              seen[i] = t;
              sent.push(t);
            }
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  test('with clocks skewed by at most the drift bound, nothing is rejected and wall times stay near real time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -HLC.DEFAULT_MAX_DRIFT / 2, max: HLC.DEFAULT_MAX_DRIFT / 2 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(2), fc.nat(2), fc.nat(50)), { maxLength: 80 }),
        (skews, steps) => {
          let real = T0;
          const clocks = [A, B, C].map((r, i) => new HLC.Clock(r, { wallClock: () => real + skews[i]! }));
          for (const [from, to, elapse] of steps) {
            real += elapse;
            const t = clocks[to]!.receive(clocks[from]!.now());
            // Never behind the receiver's own wall clock, never ahead of the fastest one.
            if (t.wall < real + skews[to]! || t.wall > real + Math.max(...skews)) return false;
          }
          return true;
        },
      ),
    );
  });
});

describe('compare', () => {
  test('orders by wall, then logical, then replica id', () => {
    const sorted = [
      HLC.timestamp(2, 0, A),
      HLC.timestamp(1, 5, C),
      HLC.timestamp(1, 5, A),
      HLC.timestamp(1, 0, B),
    ].sort(HLC.compare);
    expect(sorted.map(HLC.toJSON)).toEqual([
      { wall: 1, logical: 0, replica: 'B' },
      { wall: 1, logical: 5, replica: 'A' },
      { wall: 1, logical: 5, replica: 'C' },
      { wall: 2, logical: 0, replica: 'A' },
    ]);
    expect(HLC.compare(HLC.timestamp(1, 5, A), HLC.timestamp(1, 5, A))).toBe(0);
  });

  test('is exact at the largest wall times', () => {
    expect(HLC.compare(HLC.timestamp(HLC.MAX_WALL, 0, A), HLC.timestamp(HLC.MAX_WALL - 1, HLC.MAX_LOGICAL, A))).toBeGreaterThan(0);
  });

  test.each([
    [-1, 0],
    [0, -1],
    [1.5, 0],
    [HLC.MAX_WALL + 1, 0],
    [0, HLC.MAX_LOGICAL + 1],
  ])('timestamp(%s, %s) is a RangeError', (wall, logical) => {
    expect(() => HLC.timestamp(wall, logical, A)).toThrow(RangeError);
  });
});

// Checked-in bytes: a format change that breaks stored data fails here.
const golden: Array<{ name: string; value: HLC.Timestamp; hex: string }> = [
  { name: 'zero', value: HLC.timestamp(0, 0, A), hex: '0100000141' },
  { name: 'realistic', value: HLC.timestamp(T0, 3, asReplicaId('phone')), hex: '0180ccb0d5aa33030570686f6e65' },
  { name: 'largest', value: HLC.timestamp(HLC.MAX_WALL, HLC.MAX_LOGICAL, A), hex: '018080f0968cc1ac0fffffffff0f0141' },
];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('golden vectors', () => {
  test.each(golden)('$name', ({ value, hex: expected }) => {
    expect(hex(HLC.encode(value))).toBe(expected);
    expect(HLC.decode(unhex(expected))).toEqual(value);
  });

  test('JSON round trip', () => {
    for (const { value } of golden) expect(HLC.fromJSON(JSON.parse(JSON.stringify(HLC.toJSON(value))))).toEqual(value);
  });
});

describe('decode rejects bad input with DecodeError', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('0200000141')],
    ['truncated', unhex('01000001')],
    ['missing replica', unhex('010000')],
    ['wall past MAX_WALL', new Writer().byte(1).uint(HLC.MAX_WALL + 1).uint(0).string('A').finish()],
    ['logical past MAX_LOGICAL', new Writer().byte(1).uint(0).uint(HLC.MAX_LOGICAL + 1).string('A').finish()],
    ['non-canonical varint', unhex('01800000' + '0141')],
    ['empty replica id', unhex('01000000')],
    ['control character in replica id', unhex('0100000101')],
    ['__proto__ as replica id', new Writer().byte(1).uint(0).uint(0).string('__proto__').finish()],
    ['trailing bytes', unhex('010000014100')],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => HLC.decode(bytes)).toThrow(DecodeError);
  });

  test('fuzz: random bytes decode to a valid timestamp or throw DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        try {
          const t = HLC.decode(bytes);
          return hex(HLC.encode(t)) === hex(bytes);
        } catch (error) {
          return error instanceof DecodeError;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['array', [0, 0, 'A']],
    ['missing wall', { logical: 0, replica: 'A' }],
    ['missing replica', { wall: 0, logical: 0 }],
    ['inherited wall', Object.assign(Object.create({ wall: 0 }), { logical: 0, replica: 'A' })],
    ['negative wall', { wall: -1, logical: 0, replica: 'A' }],
    ['fractional logical', { wall: 0, logical: 0.5, replica: 'A' }],
    ['wall past MAX_WALL', { wall: HLC.MAX_WALL + 1, logical: 0, replica: 'A' }],
    ['logical past MAX_LOGICAL', { wall: 0, logical: HLC.MAX_LOGICAL + 1, replica: 'A' }],
    ['wall as a string', { wall: '0', logical: 0, replica: 'A' }],
    ['__proto__ replica', JSON.parse('{"wall": 0, "logical": 0, "replica": "__proto__"}')],
    ['empty replica', { wall: 0, logical: 0, replica: '' }],
  ];
  test.each(cases)('%s', (_name, json) => {
    expect(() => HLC.fromJSON(json)).toThrow(DecodeError);
  });

  test('errors carry the JSON path', () => {
    expect(() => HLC.fromJSON({ wall: 0, logical: -1, replica: 'A' }, '$.timestamp')).toThrow('$.timestamp.logical');
  });
});
