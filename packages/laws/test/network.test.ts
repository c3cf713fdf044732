import { asReplicaId, type ReplicaId } from '@convergent/core';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Links, maxRegisterSpec, Network } from '../src/index.js';

const ids = ['a', 'b', 'c'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
const [a, b, c] = ids;
const lattice = maxRegisterSpec.lattice;

describe('Network', () => {
  test('the same seed replays the same run', () => {
    const run = (seed: number) => {
      const net = new Network({ lattice, replicas: ids, seed, drop: 0.3, duplicate: 0.3, maxDelay: 3 });
      for (let i = 0; i < 20; i++) {
        net.update(ids[i % 3]!, (s) => s + i);
        net.tick();
      }
      return [ids.map((id) => net.state(id)), { ...net.stats }];
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  test('links drop, duplicate and delay', () => {
    const net = new Network({ lattice, replicas: ids, seed: 1, drop: 0.3, duplicate: 0.3, maxDelay: 5 });
    for (let i = 1; i <= 200; i++) net.update(a, (s) => s + 1);
    net.tick(10);
    expect(net.stats.dropped).toBeGreaterThan(0);
    expect(net.stats.duplicated).toBeGreaterThan(0);
    expect(net.stats.sent).toBe(400);
    expect(net.stats.delivered).toBe(net.stats.sent - net.stats.dropped + net.stats.duplicated);
  });

  test('a partition keeps replicas apart until healed, then anti-entropy converges them', () => {
    const net = new Network({ lattice, replicas: ids, seed: 2, maxDelay: 2 });
    net.partition([a, b], [c]);
    net.update(a, () => 7);
    net.update(c, () => 3);
    net.tick(5);
    expect(net.state(b)).toBe(7);
    expect(net.state(c)).toBe(3);
    expect(net.converged()).toBe(false);
    net.settle();
    expect(ids.map((id) => net.state(id))).toEqual([7, 7, 7]);
  });

  test('property: after healing and anti-entropy every replica is equal', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.tuple(fc.nat(2), fc.nat(100)), { maxLength: 30 }), (seed, ops) => {
        const net = new Network({ lattice, replicas: ids, seed, drop: 0.5, duplicate: 0.2, maxDelay: 4 });
        net.partition([a], [b, c]);
        for (const [at, v] of ops) {
          net.update(ids[at]!, () => v);
          net.tick();
        }
        net.settle();
        const top = ops.reduce((m, [, v]) => Math.max(m, v), 0);
        return ids.every((id) => net.state(id) === top);
      }),
    );
  });

  test('rejects duplicate replica ids and bad probabilities', () => {
    expect(() => new Network({ lattice, replicas: [a, a], seed: 1 })).toThrow(RangeError);
    expect(() => new Network({ lattice, replicas: ids, seed: 1, drop: 1 })).toThrow(RangeError);
  });
});

describe('Links', () => {
  test('carry any message; a partition loses what crosses it, healing restores the link', () => {
    const links = new Links<Uint8Array>({ seed: 9 });
    const got: string[] = [];
    const deliver = (to: string, m: Uint8Array, from: string) => got.push(`${from}>${to}:${m[0]}`);
    links.partition(['a'], ['b', 'c']);
    expect(links.connected('b', 'c')).toBe(true);
    expect(links.connected('a', 'b')).toBe(false);
    expect(links.connected('a', 'x')).toBe(false); // unnamed nodes form their own group
    links.send('a', 'b', new Uint8Array([1]));
    links.send('b', 'c', new Uint8Array([2]));
    links.tick(deliver);
    links.heal();
    links.send('a', 'b', new Uint8Array([3]));
    links.tick(deliver);
    expect(got).toEqual(['b>c:2', 'a>b:3']);
    expect(links.stats).toEqual({ sent: 3, delivered: 2, dropped: 1, duplicated: 0 });
  });

  test('delays reorder messages but every message arrives within latency ticks', () => {
    const links = new Links<number>({ seed: 4, maxDelay: 5 });
    const got: number[] = [];
    for (let i = 0; i < 50; i++) links.send('a', 'b', i);
    links.tick((_to, m) => got.push(m), links.latency);
    expect(got).toHaveLength(50);
    expect(got).not.toEqual([...got].sort((x, y) => x - y));
    expect(links.inFlight).toBe(0);
  });
});
