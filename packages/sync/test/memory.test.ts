import { asReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import { MemoryNetwork, type Transport } from '../src/index.js';

/** Three endpoints whose names differ from the replica ids sent over them, each recording what it receives. */
function room() {
  const net = new MemoryNetwork();
  const got = new Map<string, number[]>();
  const ends = new Map<string, Transport>();
  for (const name of ['e1', 'e2', 'e3']) {
    const end = net.transport(name);
    got.set(name, []);
    end.listen({ message: (bytes) => got.get(name)!.push(bytes[0]!), status: () => {} });
    ends.set(name, end);
  }
  return { net, got, end: (name: string) => ends.get(name)! };
}
const [a, b, c] = ['a', 'b', 'c'].map((id) => asReplicaId(id)) as [ReturnType<typeof asReplicaId>, ReturnType<typeof asReplicaId>, ReturnType<typeof asReplicaId>];

describe('MemoryNetwork routing', () => {
  test('a message addressed to a replica reaches only the endpoint that sent as it', () => {
    const { net, got, end } = room();
    end('e1').send(Uint8Array.of(1), { from: a });
    net.flush();
    expect(net.endpointOf(a)).toBe('e1');
    const before = net.stats.delivered;
    end('e2').send(Uint8Array.of(2), { from: b, to: a });
    net.flush();
    expect(net.stats.delivered - before).toBe(1);
    expect(net.stats.addressed).toBe(1);
    expect(got.get('e1')).toEqual([2]);
    expect(got.get('e3')).toEqual([1]);
  });

  test('to a replica not seen yet, or without an addressee, a message goes to every other endpoint', () => {
    const { net, got, end } = room();
    end('e1').send(Uint8Array.of(1), { to: c });
    end('e2').send(Uint8Array.of(2));
    net.flush();
    expect(net.stats.delivered).toBe(4);
    expect(net.stats.addressed).toBe(0);
    expect([got.get('e1'), got.get('e2'), got.get('e3')]).toEqual([[2], [1], [1, 2]]);
  });

  test('the first endpoint to send as an id keeps it: a later claim does not divert its answers', () => {
    const { net, got, end } = room();
    end('e1').send(Uint8Array.of(1), { from: a });
    end('e3').send(Uint8Array.of(3), { from: a }); // spoofed
    net.flush();
    end('e2').send(Uint8Array.of(2), { from: b, to: a });
    net.flush();
    expect(net.endpointOf(a)).toBe('e1');
    expect(got.get('e1')).toEqual([3, 2]);
    expect(got.get('e3')).toEqual([1]);
  });

  test('an addressed message still meets loss and partitions', () => {
    const { net, got, end } = room();
    end('e1').send(Uint8Array.of(1), { from: a });
    net.flush();
    net.partition(['e1'], ['e2', 'e3']);
    end('e2').send(Uint8Array.of(2), { to: a });
    net.flush();
    expect(got.get('e1')).toEqual([]);
    expect(net.stats.dropped).toBe(1);
  });
});
