import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  asReplicaId,
  canonicalKey,
  fromCanonicalKey,
  InvalidReplicaIdError,
  InvalidValueError,
  isJsonValue,
  mergeAll,
  replicaId,
  replicaIdProblem,
} from '../src/index.js';

describe('replica ids', () => {
  test('generated ids are valid, 16 characters, and do not repeat', () => {
    const ids = Array.from({ length: 10_000 }, replicaId);
    for (const id of ids.slice(0, 100)) expect(replicaIdProblem(id)).toBeUndefined();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{16}$/.test(id))).toBe(true);
  });

  test.each(['', 'x'.repeat(65), 'a\nb', 'tab\t', '\u0000', '\u0085', '\ud800', '__proto__', 'constructor', 'prototype'])(
    'rejects %j',
    (bad) => {
      expect(() => asReplicaId(bad)).toThrow(InvalidReplicaIdError);
    },
  );

  test.each(['a', 'phone-1', 'é', '🙂', 'x'.repeat(64), 'Proto'])('accepts %j', (good) => {
    expect(asReplicaId(good)).toBe(good);
  });
});

describe('canonical keys', () => {
  test('equal up to object key order iff equal keys', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shuffle = (v: unknown): unknown =>
          Array.isArray(v)
            ? v.map(shuffle)
            : v !== null && typeof v === 'object'
              ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, shuffle(x)]))
              : v;
        expect(canonicalKey(shuffle(value) as never)).toBe(canonicalKey(value as never));
        expect(canonicalKey(fromCanonicalKey(canonicalKey(value as never)))).toBe(canonicalKey(value as never));
      }),
    );
  });

  test('different values have different keys', () => {
    expect(canonicalKey([1, '1'])).not.toBe(canonicalKey(['1', 1]));
    expect(canonicalKey({ a: null })).not.toBe(canonicalKey({}));
  });

  test.each<[string, unknown]>([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['undefined', undefined],
    ['function', () => 1],
    ['Map', new Map()],
    ['Date', new Date(0)],
    ['nested undefined', { a: undefined }],
    ['bigint', 1n],
  ])('rejects %s', (_name, value) => {
    expect(isJsonValue(value)).toBe(false);
    expect(() => canonicalKey(value as never)).toThrow(InvalidValueError);
  });

  test('cycles are rejected instead of overflowing the stack', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(isJsonValue(cycle)).toBe(false);
  });

  test('__proto__ as data stays data', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(fromCanonicalKey(canonicalKey(value))).toEqual(value);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

test('mergeAll folds from bottom', () => {
  const union = { bottom: 0, merge: (a: number, b: number) => a | b, leq: (a: number, b: number) => (a | b) === b, equals: (a: number, b: number) => a === b };
  expect(mergeAll(union, [1, 2, 8])).toBe(11);
});

test('regression: countsEqual compared sizes and one direction only ({A:1} "equalled" {A:2})', async () => {
  const { countsEqual } = await import('../src/index.js');
  const A = asReplicaId('A');
  expect(countsEqual(new Map([[A, 1]]), new Map([[A, 2]]))).toBe(false);
  expect(countsEqual(new Map([[A, 2]]), new Map([[A, 1]]))).toBe(false);
  expect(countsEqual(new Map([[A, 2]]), new Map([[A, 2]]))).toBe(true);
});
