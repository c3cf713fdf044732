import { asReplicaId, DecodeError, Writer } from '@convergent/core';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeMessage, DEFAULT_SYNC_LIMITS, encodeMessage, ProtocolVersionError, type SyncMessage } from '../src/index.js';

const [A, B] = [asReplicaId('A'), asReplicaId('B')];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// Checked-in bytes: a format change that breaks peers running the old version fails here.
const golden: Array<{ name: string; message: SyncMessage; hex: string }> = [
  {
    name: 'full-state sync request with a digest and a nonce (broadcast)',
    message: { kind: 'sync', doc: '', from: A, to: undefined, seen: undefined, digest: 300, ask: true, nonce: 5 },
    hex: '0201000141' + '1a' + 'ac02' + '05',
  },
  {
    name: 'causal sync request, addressed (a gossip round)',
    message: { kind: 'sync', doc: 'd', from: A, to: B, seen: new Map([[B, 3], [A, 1]]), digest: undefined, ask: false, nonce: undefined },
    hex: '020101640141' + '05' + '0142' + '02' + '014101' + '014203',
  },
  {
    name: 'broadcast delta with compact deps (causal type)',
    message: { kind: 'state', doc: '', from: A, to: undefined, ask: false, seq: undefined, deps: new Map([[B, 2]]), covers: undefined, payload: unhex('0100') },
    hex: '0202000141' + '01' + '01014202' + '02' + '0100',
  },
  {
    name: 'broadcast delta from a delta log: seq, no deps',
    message: { kind: 'state', doc: '', from: A, to: undefined, ask: false, seq: 2, deps: undefined, covers: undefined, payload: unhex('0100') },
    hex: '0202000141' + '08' + '02' + '02' + '0100',
  },
  {
    name: 'addressed answer with covers, asking back',
    message: { kind: 'state', doc: '', from: A, to: B, ask: true, seq: undefined, deps: undefined, covers: new Map([[A, 2]]), payload: unhex('0100') },
    hex: '0202000141' + '16' + '0142' + '01014102' + '02' + '0100',
  },
  {
    name: 'ack',
    message: { kind: 'ack', doc: '', from: A, to: B, stored: new Map([[B, 7]]) },
    hex: '0203000141' + '00' + '0142' + '01014207',
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
    ['unknown version', unhex('0301000141' + '02')],
    ['unknown kind', unhex('0204000141' + '02')],
    ['unknown flags', unhex('0201000141' + '20')],
    ['unknown state flags', unhex('0202000141' + '20' + '00')],
    ['unknown ack flags', unhex('0203000141' + '01' + '0142' + '00')],
    ['seq 0', unhex('0202000141' + '08' + '00' + '00')],
    ['digest past 32 bits', unhex('0201000141' + '08' + '8080808010')],
    ['truncated', unhex('02010001')],
    ['invalid sender id', new Writer().byte(2).byte(1).string('').string('__proto__').byte(0).finish()],
    ['empty sender id', unhex('02010000' + '00')],
    ['unsorted vector', unhex('0201000141' + '01' + '02' + '014203' + '014101')],
    ['zero vector entry', unhex('0201000141' + '01' + '01' + '014100')],
    ['payload length past the bytes left', unhex('0202000141' + '00' + '05' + '0100')],
    ['trailing bytes', unhex('0201000141' + '02' + '00')],
    ['document name past 256 bytes', new Writer().byte(2).byte(1).string('x'.repeat(257)).string('A').byte(0).finish()],
    ['invalid UTF-8 document name', unhex('02010180' + '0141' + '00')],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => decodeMessage(bytes)).toThrow(DecodeError);
  });

  test('a version 1 message (a peer on the old format): ProtocolVersionError, a DecodeError', () => {
    // Version 1's full-state sync request, as the previous release sent it.
    const old = unhex('0101000141' + '02');
    expect(() => decodeMessage(old)).toThrow(ProtocolVersionError);
    expect(() => decodeMessage(old)).toThrow(DecodeError);
    expect(() => decodeMessage(old)).toThrow(/version 1, expected 2/);
  });

  test('not a Uint8Array', () => {
    expect(() => decodeMessage('0101' as unknown as Uint8Array)).toThrow(DecodeError);
  });

  test('limits: message size, state size, vector length', () => {
    const big = encodeMessage({ kind: 'state', doc: '', from: A, to: undefined, ask: false, seq: undefined, deps: undefined, covers: undefined, payload: new Uint8Array(100) });
    expect(() => decodeMessage(big, { ...DEFAULT_SYNC_LIMITS, maxMessageBytes: 50 })).toThrow(DecodeError);
    expect(() => decodeMessage(big, { ...DEFAULT_SYNC_LIMITS, maxStateBytes: 99 })).toThrow(DecodeError);
    expect(decodeMessage(big, { ...DEFAULT_SYNC_LIMITS, maxStateBytes: 100 }).kind).toBe('state');
    const wide = encodeMessage({ kind: 'sync', doc: '', from: A, to: undefined, seen: new Map([[A, 1], [B, 1]]), digest: undefined, ask: false, nonce: undefined });
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
  expect(() => encodeMessage({ kind: 'sync', doc: 'x'.repeat(257), from: A, to: undefined, seen: undefined, digest: undefined, ask: false, nonce: undefined })).toThrow(RangeError);
});

test('encodeMessage refuses a digest past 32 bits and a seq below 1', () => {
  expect(() => encodeMessage({ kind: 'sync', doc: '', from: A, to: undefined, seen: undefined, digest: 2 ** 32, ask: false, nonce: undefined })).toThrow(RangeError);
  expect(() => encodeMessage({ kind: 'state', doc: '', from: A, to: undefined, ask: false, seq: 0, deps: undefined, covers: undefined, payload: new Uint8Array() })).toThrow(RangeError);
});
