// The same protocol over the law kit's seeded lossy Links (shared with the other
// protocol tests of the repository), carrying the encoded bytes point to point.
import { asReplicaId, type ReplicaId } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import { Links } from '@convergent/laws';
import * as fc from 'fast-check';
import { expect, test } from 'vitest';
import { Replica, type Transport, type TransportHandlers } from '../src/index.js';

/** One transport per replica over `links`: a send goes to every other replica. */
function over(links: Links<Uint8Array>, names: readonly string[]) {
  const handlers = new Map<string, TransportHandlers>();
  const transports = names.map(
    (name): Transport => ({
      connected: true,
      send: (bytes) => names.forEach((to) => to !== name && links.send(name, to, bytes.slice())),
      listen: (h) => {
        handlers.set(name, h);
        return () => handlers.delete(name);
      },
    }),
  );
  const deliver = (to: string, bytes: Uint8Array) => handlers.get(to)?.message(bytes);
  return { transports, tick: (n = 1) => links.tick(deliver, n) };
}

test('G-Counter replicas (delta log) converge over Links with loss, duplication, delay and partitions', () => {
  fc.assert(
    fc.property(
      fc.integer(),
      fc.array(fc.tuple(fc.nat(2), fc.integer({ min: 1, max: 9 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
      (seed, steps) => {
        const names = ['p', 'q', 'r'];
        const links = new Links<Uint8Array>({ seed, drop: 0.25, duplicate: 0.2, maxDelay: 4 });
        const net = over(links, names);
        const replicas = names.map((name, i) => {
          const replica = new Replica({ id: asReplicaId(name), type: GCounter, deltaLog: true });
          replica.connect(net.transports[i]!);
          return replica;
        });
        let total = 0;
        for (const [who, amount, split] of steps) {
          if (split) links.partition([names[who]!], names.filter((_, i) => i !== who));
          else links.heal();
          replicas[who]!.update((s, id: ReplicaId) => GCounter.increment(s, id, amount));
          total += amount;
          net.tick(2);
        }
        links.heal();
        for (let round = 0; round < 50 && !replicas.every((r) => GCounter.value(r.state) === total); round++) {
          replicas.forEach((r) => r.sync());
          net.tick(links.latency + 1);
        }
        for (const r of replicas) expect(GCounter.value(r.state)).toBe(total);
      },
    ),
    { numRuns: 100 },
  );
});
