// The presence wire format: round trips, and every malformed or oversized input is a
// typed error, never a crash or a partly-read message.
import { asReplicaId, DecodeError } from '@convergent/core';
import { isCompanionMessage } from '@convergent/sync';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodePresence, DEFAULT_PRESENCE_LIMITS, encodePresence, PresenceVersionError, type PresenceMessage, type PresenceState } from '../src/index.js';

const id = fc.constantFrom('a', 'bob', 'ü-42', 'x'.repeat(64)).map(asReplicaId);
const anchor = fc.option(fc.record({ replica: id, counter: fc.integer({ min: 1, max: 2 ** 40 }) }), { nil: null });
const state: fc.Arbitrary<PresenceState> = fc.record({
  name: fc.string({ maxLength: 30 }),
  colour: fc.integer({ min: 0, max: 0xffffff }).map((n) => `#${n.toString(16).padStart(6, '0')}`),
  selection: fc.option(fc.record({ anchor, head: anchor }), { nil: null }),
  fields: fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 10 })), { maxKeys: 4 }),
});
const message: fc.Arbitrary<PresenceMessage> = fc.oneof(
  fc.record({ kind: fc.constant('state' as const), doc: fc.string({ maxLength: 10 }), from: id, seq: fc.integer({ min: 1, max: 2 ** 40 }), to: fc.option(id, { nil: undefined }), ask: fc.boolean(), state }),
  fc.record({ kind: fc.constant('leave' as const), doc: fc.string({ maxLength: 10 }), from: id, seq: fc.integer({ min: 1 }) }),
);
const ada = asReplicaId('ada');
const update = (patch: Partial<PresenceState> = {}): PresenceMessage => ({
  kind: 'state', doc: 'd', from: ada, seq: 1, to: undefined, ask: false,
  state: { name: 'Ada', colour: '#0a0b0c', selection: { anchor: null, head: { replica: ada, counter: 3 } }, fields: { k: 1 }, ...patch },
});

describe('presence messages', () => {
  test('round trip, and every message is a companion message that sync ignores', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodePresence(m);
        expect(isCompanionMessage(bytes)).toBe(true);
        expect(decodePresence(bytes)).toEqual(m);
      }),
    );
  });

  test('every truncation and every single-byte change is a DecodeError or a message that re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.nat(255), (m, at, value) => {
        const bytes = encodePresence(m);
        expect(() => decodePresence(bytes.subarray(0, at % bytes.length))).toThrow(DecodeError);
        const changed = bytes.slice();
        changed[at % bytes.length] = value;
        try {
          expect(encodePresence(decodePresence(changed))).toEqual(changed);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });

  test('arbitrary bytes after the tag: DecodeError or a faithful message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (tail) => {
        const bytes = Uint8Array.of(0xe1, 1, ...tail);
        try {
          expect(encodePresence(decodePresence(bytes))).toEqual(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });

  test('limits: names, fields and the whole message are bounded', () => {
    const limits = { ...DEFAULT_PRESENCE_LIMITS, maxNameBytes: 4, maxFieldsBytes: 10 };
    expect(decodePresence(encodePresence(update({ name: 'Ada' })), limits).kind).toBe('state');
    expect(() => decodePresence(encodePresence(update({ name: 'Adaline' })), limits)).toThrow(/too large/);
    expect(() => decodePresence(encodePresence(update({ fields: { long: 'x'.repeat(20) } })), limits)).toThrow(DecodeError);
    expect(() => decodePresence(new Uint8Array(1 << 16).fill(0xe1))).toThrow(/past the limit/);
  });

  test('malformed fields, anchors, flags and versions are typed errors', () => {
    const bytes = encodePresence(update({ selection: null, fields: {} }));
    const at = bytes.length - 3; // the fields: length 2, '{}'
    expect(Array.from(bytes.subarray(at))).toEqual([2, 123, 125]);
    const withFields = (json: string) => Uint8Array.of(...bytes.subarray(0, at), json.length, ...new TextEncoder().encode(json));
    expect(() => decodePresence(withFields('[1]'))).toThrow(/JSON object/);
    expect(() => decodePresence(withFields('{"b":1,"a":2}'))).toThrow(/canonical/);
    const flagsAt = bytes.indexOf(0, 7); // after doc 'd', from 'ada' and seq 1
    const bad = bytes.slice();
    bad[flagsAt] = 8;
    expect(() => decodePresence(bad)).toThrow(/unknown flags/);
    expect(() => decodePresence(Uint8Array.of(0xe1, 2))).toThrow(PresenceVersionError);
    expect(() => decodePresence(Uint8Array.of(2, 1))).toThrow(/not a presence message/);
    expect(() => decodePresence(Uint8Array.of(0xe1, 1, 2, 0, 1, 97, 0))).toThrow(/seq 0/);
    const anchored = encodePresence(update({ selection: { anchor: null, head: null }, fields: {} }));
    const badAnchor = anchored.slice();
    badAnchor[anchored.length - 4] = 2; // the head's presence byte
    expect(() => decodePresence(badAnchor)).toThrow(/bad anchor/);
  });

  test('golden bytes of a state', () => {
    const bytes = encodePresence({ kind: 'state', doc: '', from: asReplicaId('a'), seq: 2, to: asReplicaId('b'), ask: true, state: { name: 'A', colour: '#ff0080', selection: { anchor: null, head: { replica: asReplicaId('a'), counter: 5 } }, fields: {} } });
    expect(Array.from(bytes)).toEqual([0xe1, 1, 1, 0, 1, 97, 2, 7, 1, 98, 1, 65, 255, 0, 128, 0, 1, 1, 97, 5, 2, 123, 125]);
  });
});
