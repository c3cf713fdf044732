import { asReplicaId, DecodeError, Writer } from '@convergent/core';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeMessage, DEFAULT_SYNC_LIMITS, encodeMessage, type SyncMessage } from '../src/index.js';

const [A, B] = [asReplicaId('A'), asReplicaId('B')];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// Checked-in bytes: a format change that breaks peers running the old version fails here.
const golden: Array<{ name: string; message: SyncMessage; hex: string }> = [
  { name: 'full-state sync request', message: { kind: 'sync', doc: '', from: A, seen: undefined, ask: true }, hex: '0101000141' + '02' },
  {
    name: 'causal sync request',
    message: { kind: 'sync', doc: 'd', from: A, seen: new Map([[B, 3], [A, 1]]), ask: false },
    hex: '010101640141' + '01' + '02' + '014101' + '014203',
  },
  {
    name: 'broadcast delta with deps',
    message: { kind: 'state', doc: '', from: A, to: undefined, deps: new Map([[B, 2]]), covers: undefined, payload: unhex('0100') },
    hex: '0102000141' + '01' + '01014202' + '02' + '0100',
  },
  {
    name: 'broadcast delta from a delta log',
    message: { kind: 'state', doc: '', from: A, to: undefined, deps: new Map([[A, 1]]), covers: new Map([[A, 2]]), payload: unhex('0100') },
    hex: '0102000141' + '05' + '01014101' + '01014102' + '02' + '0100',
  },
  {
    name: 'addressed answer',
    message: { kind: 'state', doc: '', from: A, to: B, deps: undefined, covers: undefined, payload: unhex('0100') },
    hex: '0102000141' + '02' + '0142' + '02' + '0100',
  },
];

describe('golden vectors', () => {
  test.each(golden)('$name', ({ message, hex: expected }) => {
    expect(hex(encodeMessage(message))).toBe(expected);
    expect(hex(encodeMessage(decodeMessage(unhex(expected))))).toBe(expected);
  });
});

describe('decodeMessage rejects bad input with DecodeError', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('0201000141' + '02')],
    ['unknown kind', unhex('0103000141' + '02')],
    ['unknown flags', unhex('0101000141' + '04')],
    ['unknown state flags', unhex('0102000141' + '08' + '00')],
    ['truncated', unhex('01010001')],
    ['invalid sender id', new Writer().byte(1).byte(1).string('').string('__proto__').byte(0).finish()],
    ['empty sender id', unhex('01010000' + '00')],
    ['unsorted vector', unhex('0101000141' + '01' + '02' + '014203' + '014101')],
    ['zero vector entry', unhex('0101000141' + '01' + '01' + '014100')],
    ['payload length past the bytes left', unhex('0102000141' + '00' + '05' + '0100')],
    ['trailing bytes', unhex('0101000141' + '02' + '00')],
    ['document name past 256 bytes', new Writer().byte(1).byte(1).string('x'.repeat(257)).string('A').byte(0).finish()],
    ['invalid UTF-8 document name', unhex('01010180' + '0141' + '00')],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => decodeMessage(bytes)).toThrow(DecodeError);
  });

  test('not a Uint8Array', () => {
    expect(() => decodeMessage('0101' as unknown as Uint8Array)).toThrow(DecodeError);
  });

  test('limits: message size, state size, vector length', () => {
    const big = encodeMessage({ kind: 'state', doc: '', from: A, to: undefined, deps: undefined, covers: undefined, payload: new Uint8Array(100) });
    expect(() => decodeMessage(big, { ...DEFAULT_SYNC_LIMITS, maxMessageBytes: 50 })).toThrow(DecodeError);
    expect(() => decodeMessage(big, { ...DEFAULT_SYNC_LIMITS, maxStateBytes: 99 })).toThrow(DecodeError);
    expect(decodeMessage(big, { ...DEFAULT_SYNC_LIMITS, maxStateBytes: 100 }).kind).toBe('state');
    const wide = encodeMessage({ kind: 'sync', doc: '', from: A, seen: new Map([[A, 1], [B, 1]]), ask: false });
    expect(() => decodeMessage(wide, { ...DEFAULT_SYNC_LIMITS, maxReplicas: 1 })).toThrow(DecodeError);
  });

  test('arbitrary bytes: DecodeError or a message that re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const message = decodeMessage(bytes);
          expect(hex(encodeMessage(message))).toBe(hex(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

test('encodeMessage refuses a document name past 256 bytes', () => {
  expect(() => encodeMessage({ kind: 'sync', doc: 'x'.repeat(257), from: A, seen: undefined, ask: false })).toThrow(RangeError);
});
