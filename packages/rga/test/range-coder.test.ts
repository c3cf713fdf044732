import { DecodeError, Reader, Writer } from '@convergent/core';
import * as fc from 'fast-check';
import { expect, test } from 'vitest';
import { RangeDecoder, RangeEncoder } from '../src/range-coder.js';

const CONTEXTS = 8;
// Every value the coder takes: 0 to 2^53 - 2.
const value = fc.oneof(fc.nat(3), fc.nat(1000), fc.nat(2 ** 32 + 5), fc.constantFrom(2 ** 53 - 2, 2 ** 52, 2 ** 31 - 1, 2 ** 31, 2 ** 32), fc.integer({ min: 0, max: 2 ** 53 - 2 }));
const stream = fc.array(fc.tuple(fc.nat(CONTEXTS - 1), value), { maxLength: 120 });

function write(ints: Array<[number, number]>, after?: number): Uint8Array {
  const writer = new Writer();
  const coder = new RangeEncoder(writer, CONTEXTS);
  for (const [ctx, v] of ints) expect(coder.int(ctx, v)).toBe(v);
  coder.close();
  if (after !== undefined) writer.byte(after);
  return writer.finish();
}

/** The values read, or null when the reader rejects the bytes. */
function read(bytes: Uint8Array, ints: Array<[number, number]>): number[] | null {
  const reader = new Reader(bytes);
  try {
    const coder = new RangeDecoder(reader, CONTEXTS);
    const values = ints.map(([ctx]) => coder.int(ctx));
    coder.close();
    return reader.remaining === 1 ? values : null;
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return null;
  }
}

test('the reader gets back every value, and stops exactly where the writer did', () => {
  fc.assert(
    fc.property(stream, fc.nat(255), (ints, after) => {
      const bytes = write(ints, after);
      expect(read(bytes, ints)).toEqual(ints.map(([, v]) => v));
      expect(bytes[bytes.length - 1]).toBe(after);
    }),
  );
});

test('no other bytes of the same length read as the same values (the encoding is canonical)', () => {
  fc.assert(
    fc.property(stream, fc.nat(), fc.integer({ min: 1, max: 255 }), (ints, at, flip) => {
      const bytes = write(ints, 0);
      const mutated = bytes.slice();
      mutated[at % (bytes.length - 1)]! ^= flip;
      expect(read(mutated, ints)).not.toEqual(ints.map(([, v]) => v));
    }),
    { numRuns: 2000 },
  );
});

test('values a context has seen often cost a fraction of a bit', () => {
  const ints: Array<[number, number]> = Array.from({ length: 8000 }, () => [0, 0]);
  // 8,000 values would take 1,000 bytes at one bit each.
  expect(write(ints).length).toBeLessThan(120);
});

test('reading fails past the maximum, on a bit length past 53, and on a short or bad stream', () => {
  const reader = (bytes: Uint8Array) => new RangeDecoder(new Reader(bytes), CONTEXTS);
  expect(() => reader(write([[0, 5]])).int(0, 0, 4)).toThrow('value too large');
  expect(() => reader(new Uint8Array([0x7f, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).int(0)).toThrow('bad integer');
  expect(() => reader(write([[0, 5]]).slice(0, 3))).toThrow('truncated');
  expect(() => reader(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow('bad run stream');
  const coder = reader(new Uint8Array([0, 0, 0, 1]));
  expect(coder.int(0)).toBe(0);
  expect(() => coder.close()).toThrow('non-canonical run stream');
});

test('coders alive at the same time do not share probabilities (closed ones lend theirs)', () => {
  const ints: Array<[number, number]> = Array.from({ length: 50 }, (_, i) => [i % CONTEXTS, (i * 7919) % 1000]);
  write(ints); // leaves a table to reuse
  const [w1, w2] = [new Writer(), new Writer()];
  const [c1, c2] = [new RangeEncoder(w1, CONTEXTS), new RangeEncoder(w2, CONTEXTS)];
  for (const [ctx, v] of ints) {
    c1.int(ctx, v);
    c2.int(ctx, 999 - v);
  }
  c1.close();
  c2.close();
  expect(read(Uint8Array.from([...w1.finish(), 0]), ints)).toEqual(ints.map(([, v]) => v));
  expect(read(Uint8Array.from([...w2.finish(), 0]), ints)).toEqual(ints.map(([, v]) => 999 - v));
});

test('writing refuses what it could not read back exactly', () => {
  const coder = new RangeEncoder(new Writer(), CONTEXTS);
  for (const bad of [-1, 0.5, 2 ** 53 - 1, Number.NaN]) expect(() => coder.int(0, bad)).toThrow(RangeError);
});
