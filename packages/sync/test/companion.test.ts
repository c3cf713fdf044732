// A companion protocol (presence) shares a link with sync: a replica ignores its
// messages, and a MemoryNetwork endpoint delivers to every listener.
import { asReplicaId } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import { describe, expect, test } from 'vitest';
import { isCompanionMessage, MemoryNetwork, Replica } from '../src/index.js';

describe('companion messages', () => {
  test('the 0xE0..0xEF range, and no other first byte, is left to companions', () => {
    const firsts = Array.from({ length: 256 }, (_, b) => b).filter((b) => isCompanionMessage(Uint8Array.of(b, 1)));
    expect(firsts).toEqual(Array.from({ length: 16 }, (_, i) => 0xe0 + i));
    expect(isCompanionMessage(new Uint8Array())).toBe(false);
  });

  test('a replica ignores them: no error, nothing counted, state unchanged', () => {
    const errors: unknown[] = [];
    const replica = new Replica({ id: asReplicaId('a'), type: GCounter, gossipMs: 0, onError: (e) => errors.push(e) });
    replica.receive(Uint8Array.of(0xe1, 1, 2, 3));
    replica.receive(Uint8Array.of(0xef));
    expect(errors).toEqual([]);
    expect(replica.stats).toMatchObject({ received: 0, rejected: 0 });
    // Any other unknown first byte is still an error.
    expect(() => replica.receive(Uint8Array.of(0xd0, 1))).toThrow();
    expect(replica.stats.rejected).toBe(1);
  });

  test('a MemoryNetwork endpoint delivers to every listener, and status to each', () => {
    const net = new MemoryNetwork();
    const [left, right] = [net.transport('left'), net.transport('right')];
    const got: string[] = [];
    const status: string[] = [];
    const stopFirst = right.listen({ message: (bytes) => got.push(`first ${bytes[0]}`), status: (up) => status.push(`first ${up}`) });
    right.listen({ message: (bytes) => got.push(`second ${bytes[0]}`), status: (up) => status.push(`second ${up}`) });
    left.send(Uint8Array.of(7));
    net.flush();
    net.setOnline('right', false);
    stopFirst();
    net.setOnline('right', true);
    left.send(Uint8Array.of(8));
    net.flush();
    expect(got).toEqual(['first 7', 'second 7', 'second 8']);
    expect(status).toEqual(['first false', 'second false', 'second true']);
  });
});
