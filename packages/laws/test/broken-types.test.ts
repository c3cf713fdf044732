import { DecodeError, MergeRejectedError, Writer, decodeWith, type ReplicaId } from '@convergent/core';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { laws, maxRegisterSpec, universe, type CrdtSpec, type LawName } from '../src/index.js';

const quick = { numRuns: 200, seed: 20261122 };
const outcome = (spec: CrdtSpec<any, any>, name: LawName): 'holds' | 'fails' => {
  const law = laws(spec, quick).find((l) => l.name === name)!;
  try {
    law.run();
    return 'holds';
  } catch {
    return 'fails';
  }
};

test('a correct type passes every law', () => {
  for (const law of laws(maxRegisterSpec, quick)) law.run();
});

// An LWW register as [timestamp, replica, value].
type Lww = readonly [number, string, number];
const lwwSpec = (merge: (a: Lww, b: Lww) => Lww): CrdtSpec<Lww, { ts: number; value: number }> => ({
  name: 'LWW register',
  lattice: {
    bottom: [0, '', 0],
    merge,
    leq: (a, b) => {
      const m = merge(a, b);
      return m[0] === b[0] && m[1] === b[1] && m[2] === b[2];
    },
    equals: (a, b) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2],
  },
  // Small clock steps, so different replicas often write with equal timestamps
  // (one replica's clock still always moves forward).
  operation: fc.record({ ts: fc.integer({ min: 1, max: 2 }), value: fc.nat(9) }),
  mutate: (state, { ts, value }, replica: ReplicaId) => [state[0] + ts, replica, value],
  encode: ([ts, r, v]) => new Writer().byte(1).uint(ts).string(r).uint(v).finish(),
  decode: (bytes) => decodeWith(bytes, (rd) => (rd.version(1), [rd.uint(), rd.string(), rd.uint()] as const)),
  toJSON: (s) => s,
  fromJSON: (json) => {
    if (!Array.isArray(json) || json.length !== 3) throw new DecodeError('bad', { path: '$' });
    return json as unknown as Lww;
  },
});

describe('the kit catches broken types', () => {
  test('an LWW register that keeps the left argument on equal timestamps is not commutative', () => {
    const keepLeftOnTie = (a: Lww, b: Lww): Lww => (b[0] > a[0] ? b : a);
    expect(outcome(lwwSpec(keepLeftOnTie), 'commutative')).toBe('fails');
    // The same register ordered by (timestamp, replica id) passes.
    const byTimestampThenReplica = (a: Lww, b: Lww): Lww =>
      b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a;
    expect(outcome(lwwSpec(byTimestampThenReplica), 'commutative')).toBe('holds');
  });

  test('a counter whose merge adds instead of taking the maximum is not idempotent', () => {
    const adding: CrdtSpec<number, number> = {
      ...maxRegisterSpec,
      name: 'adding counter',
      lattice: { ...maxRegisterSpec.lattice, merge: (a, b) => a + b },
    };
    expect(outcome(adding, 'idempotent')).toBe('fails');
    expect(outcome(adding, 'convergence')).toBe('fails');
  });

  test('a mutator that mutates its input breaks purity', () => {
    type Box = { n: number };
    const mutating: CrdtSpec<Box, number> = {
      name: 'mutating max register',
      lattice: {
        bottom: { n: 0 },
        merge: (a, b) => ({ n: Math.max(a.n, b.n) }),
        leq: (a, b) => a.n <= b.n,
        equals: (a, b) => a.n === b.n,
      },
      operation: fc.integer({ min: 1, max: 9 }),
      mutate: (state, by) => {
        state.n += by; // the bug
        return { n: state.n };
      },
      encode: (s) => maxRegisterSpec.encode(s.n),
      decode: (b) => ({ n: maxRegisterSpec.decode(b) }),
      toJSON: (s) => s.n,
      fromJSON: (j) => ({ n: maxRegisterSpec.fromJSON(j) }),
    };
    expect(outcome(mutating, 'purity')).toBe('fails');
  });

  test('a decoder that throws something other than DecodeError is caught', () => {
    const leaky: CrdtSpec<number, number> = {
      ...maxRegisterSpec,
      decode: (bytes) => {
        if (bytes[0] !== 1) throw new TypeError('boom');
        return maxRegisterSpec.decode(bytes);
      },
    };
    expect(outcome(leaky, 'decoder rejects bad input')).toBe('fails');
  });

  test('regression: fromJSON ignored unknown keys, so JSON input was not canonical', () => {
    // The max register as { n }: one version ignores keys it does not know, as fromJSON did.
    const boxed = (strict: boolean): CrdtSpec<number, number> => ({
      ...maxRegisterSpec,
      toJSON: (n) => ({ n }),
      fromJSON: (json) => {
        if (json === null || typeof json !== 'object' || !Object.hasOwn(json, 'n'))
          throw new DecodeError('expected { n }', { path: '$' });
        if (strict && Object.keys(json).length !== 1) throw new DecodeError('unknown key', { path: '$' });
        return maxRegisterSpec.fromJSON((json as { n: unknown }).n);
      },
    });
    expect(outcome(boxed(false), 'decoder rejects bad input')).toBe('fails');
    expect(outcome(boxed(true), 'decoder rejects bad input')).toBe('holds');
  });

  test('an encoding that depends on merge order is caught', () => {
    // A set of numbers encoded in insertion order: equal states, different bytes.
    type NumSet = ReadonlySet<number>;
    const unsorted: CrdtSpec<NumSet, number> = {
      name: 'unsorted set',
      lattice: {
        bottom: new Set(),
        merge: (a, b) => new Set([...a, ...b]),
        leq: (a, b) => [...a].every((x) => b.has(x)),
        equals: (a, b) => a.size === b.size && [...a].every((x) => b.has(x)),
      },
      operation: fc.nat(5),
      mutate: (_s, x) => new Set([x]),
      encode: (s) => {
        const w = new Writer().byte(1).uint(s.size);
        for (const x of s) w.uint(x);
        return w.finish();
      },
      decode: (bytes) =>
        decodeWith(bytes, (r) => {
          r.version(1);
          const n = r.count();
          return new Set(Array.from({ length: n }, () => r.uint()));
        }),
      toJSON: (s) => [...s],
      fromJSON: (j) => new Set(j as number[]),
    };
    expect(outcome(unsorted, 'codec')).toBe('fails');
  });
});

describe('the optional trust laws', () => {
  test('exist only for specs that give authors and validateMerge', () => {
    const names = laws(maxRegisterSpec).map((law) => law.name);
    expect(names).not.toContain('authorship');
    expect(names).not.toContain('merge validation');
    const full = laws({ ...maxRegisterSpec, authors: () => [], validateMerge: () => {} }).map((law) => law.name);
    expect(full).toEqual(expect.arrayContaining(['authorship', 'merge validation']));
  });

  test('a validateMerge that refuses reachable states is caught', () => {
    // The max register's values reach 1000 and more: refusing past 500 refuses honest input.
    const refusing: CrdtSpec<number, number> = {
      ...maxRegisterSpec,
      validateMerge: (_state, delta) => {
        if (delta > 500) throw new MergeRejectedError('too large');
      },
    };
    expect(outcome(refusing, 'merge validation')).toBe('fails');
    const sound: CrdtSpec<number, number> = {
      ...maxRegisterSpec,
      validateMerge: (_state, delta) => {
        if (delta > Number.MAX_SAFE_INTEGER / 2) throw new MergeRejectedError('too large');
      },
    };
    expect(outcome(sound, 'merge validation')).toBe('holds');
  });

  test('authors that name a replica other than the mutating one are caught', () => {
    const byTimestampThenReplica = (a: Lww, b: Lww): Lww => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a);
    const spec = lwwSpec(byTimestampThenReplica);
    // The replica in the state: the writer, as a correct `authors` answers.
    const writer = (s: Lww): ReplicaId[] => (s[1] ? [s[1] as ReplicaId] : []);
    expect(outcome({ ...spec, authors: writer }, 'authorship')).toBe('holds');
    // One fixed replica: wrong whenever another replica writes.
    const blamesFirst = { ...spec, authors: () => ['a' as ReplicaId] };
    expect(outcome(blamesFirst, 'authorship')).toBe('fails');
  });
});

test('universes hold distinct replica ids and consistent histories', () => {
  fc.assert(
    fc.property(universe(maxRegisterSpec), (u) => {
      expect(new Set(u.replicas).size).toBe(u.replicas.length);
      expect(u.finals.length).toBe(u.replicas.length);
      // Every final state is the join of some of the deltas: never above their total.
      const total = u.deltas.reduce((a, b) => Math.max(a, b), 0);
      for (const s of u.finals) expect(s).toBeLessThanOrEqual(total);
    }),
  );
});

test('an equals that is too lenient is caught by the codec law', () => {
  const lenient: CrdtSpec<number, number> = {
    ...maxRegisterSpec,
    lattice: { ...maxRegisterSpec.lattice, equals: () => true },
  };
  expect(outcome(lenient, 'codec')).toBe('fails');
});
