import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PersistentMap } from '../src/index.js';

// Few distinct keys, so that sets overwrite and deletes hit; plus pairs whose
// FNV-1a hashes collide ('k32728'/'k261234', 'k32729'/'k261235'), to reach buckets.
const key = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.constantFrom('k32728', 'k261234', 'k32729', 'k261235', 'k32724', 'k261238'),
  fc.nat(2000).map((n) => `k${n}`),
);
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key }),
);

const sorted = (entries: Iterable<[string, number]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('PersistentMap', () => {
  test('behaves as a Map under any sequence of sets and deletes, leaving every earlier version unchanged', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.array(key, { maxLength: 20 }), (ops, probes) => {
        const model = new Map<string, number>();
        let map = PersistentMap.empty<number>();
        const versions: Array<[PersistentMap<number>, Array<[string, number]>]> = [];
        for (const o of ops) {
          if (o.kind === 'set') {
            model.set(o.key, o.value);
            map = map.set(o.key, o.value);
          } else {
            model.delete(o.key);
            map = map.delete(o.key);
          }
          versions.push([map, sorted(model)]);
          expect(map.size).toBe(model.size);
        }
        for (const k of [...probes, ...model.keys()]) {
          expect(map.get(k)).toBe(model.get(k));
          expect(map.has(k)).toBe(model.has(k));
        }
        for (const [version, entries] of versions) {
          expect(sorted(version)).toEqual(entries);
          expect([...version.keys()].length).toBe(entries.length);
        }
      }),
    );
  });

  test('from builds the map a sequence of sets would, and leaves no node shared with a later set', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer()), { maxLength: 500 }), key, (entries, extra) => {
        const built = PersistentMap.from(entries);
        const model = new Map(entries);
        expect(sorted(built)).toEqual(sorted(model));
        expect(built.size).toBe(model.size);
        const more = built.set(extra, 7);
        expect(sorted(built)).toEqual(sorted(model));
        expect(more.get(extra)).toBe(7);
      }),
    );
  });

  test('equal contents iterate in the same order whatever the history', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 100 }), fc.array(key, { maxLength: 50 }), (keys, extra) => {
        const a = PersistentMap.from(keys.map((k) => [k, 1] as [string, number]));
        let b = PersistentMap.from([...keys].reverse().map((k) => [k, 1] as [string, number]));
        for (const k of extra) if (!keys.includes(k)) b = b.set(k, 2).delete(k);
        expect([...b.keys()]).toEqual([...a.keys()]);
      }),
    );
  });

  test('colliding keys live side by side and leave one by one', () => {
    const map = PersistentMap.from([['k32728', 1], ['k261234', 2], ['x', 3]]);
    expect([map.get('k32728'), map.get('k261234'), map.size]).toEqual([1, 2, 3]);
    const less = map.delete('k32728');
    expect([less.get('k32728'), less.get('k261234'), less.size]).toEqual([undefined, 2, 2]);
  });

  test('undefined values are present, unchanged writes return the same map', () => {
    const map = PersistentMap.empty<number | undefined>().set('a', undefined);
    expect([map.has('a'), map.size]).toEqual([true, 1]);
    expect(map.set('a', undefined)).toBe(map);
    expect(map.delete('b')).toBe(map);
    const values: Array<[string, number | undefined]> = [];
    map.forEach((v, k) => values.push([k, v]));
    expect(values).toEqual([['a', undefined]]);
    expect([...map.values()]).toEqual([undefined]);
  });

  test('from returns a PersistentMap unchanged, and later duplicates win', () => {
    const map = PersistentMap.from([['a', 1], ['a', 2]]);
    expect(PersistentMap.from(map)).toBe(map);
    expect(map.get('a')).toBe(2);
    expect(Object.isFrozen(map)).toBe(true);
  });
});
