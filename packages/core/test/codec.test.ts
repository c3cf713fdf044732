import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DecodeError, decodeWith, readInt, readJson, Reader, writeInt, writeJson, Writer } from '../src/index.js';

const safeNat = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const safeInt = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

describe('varints', () => {
  test('unsigned round trip over the whole safe range', () => {
    fc.assert(
      fc.property(fc.array(safeNat), (values) => {
        const w = new Writer();
        for (const v of values) w.uint(v);
        const r = new Reader(w.finish());
        expect(values.map(() => r.uint())).toEqual(values);
        r.end();
      }),
    );
  });

  test('signed round trip over the whole safe range', () => {
    fc.assert(
      fc.property(fc.array(safeInt), (values) => {
        const w = new Writer();
        for (const v of values) writeInt(w, v);
        const r = new Reader(w.finish());
        expect(values.map(() => readInt(r))).toEqual(values);
        r.end();
      }),
    );
  });

  test('boundaries', () => {
    const bytes = (v: number) => Array.from(new Writer().uint(v).finish());
    expect(bytes(0)).toEqual([0]);
    expect(bytes(127)).toEqual([127]);
    expect(bytes(128)).toEqual([128, 1]);
    expect(bytes(Number.MAX_SAFE_INTEGER)).toHaveLength(8);
  });

  test.each([-1, 1.5, Number.NaN, 2 ** 53])('writer rejects %s', (v) => {
    expect(() => new Writer().uint(v)).toThrow(RangeError);
  });

  test.each([
    ['truncated', [0x80]],
    ['non-canonical (trailing zero byte)', [0x81, 0x00]],
    ['too long', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['past MAX_SAFE_INTEGER', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  ])('reader rejects %s', (_name, bytes) => {
    expect(() => new Reader(new Uint8Array(bytes)).uint()).toThrow(DecodeError);
  });

  test('signed reader rejects negative zero and trailing zero bytes', () => {
    expect(() => readInt(new Reader(new Uint8Array([0x40])))).toThrow(DecodeError);
    expect(() => readInt(new Reader(new Uint8Array([0x81, 0x00])))).toThrow(DecodeError);
  });

  test('uint(max) bounds the value', () => {
    expect(() => new Reader(new Writer().uint(11).finish()).uint(10)).toThrow(DecodeError);
  });
});

describe('strings, counts, raw bytes', () => {
  test('strings round trip, any well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(new Reader(new Writer().string(s).finish()).string()).toBe(s);
      }),
    );
  });

  test('invalid UTF-8 and lone surrogates are rejected', () => {
    expect(() => new Reader(new Uint8Array([2, 0xc3, 0x28])).string()).toThrow(DecodeError);
    expect(() => new Writer().string('\ud800')).toThrow(RangeError);
  });

  test('lengths and counts are bounded by the limits and by the bytes left', () => {
    const limits = { maxStringBytes: 4, maxBytes: 4, maxCount: 3 };
    expect(() => new Reader(new Writer().string('hello').finish(), limits).string()).toThrow(DecodeError);
    expect(() => new Reader(new Uint8Array([4, 1, 2, 3, 4]), limits).count()).toThrow(DecodeError);
    // A huge count with few bytes behind it fails before anything is allocated.
    expect(() => new Reader(new Writer().uint(1_000_000).finish()).count()).toThrow(/count too large/);
    expect(() => new Reader(new Uint8Array([5, 1])).string()).toThrow(DecodeError);
    // maxBytes bounds raw byte arrays (it once bounded nothing), and only them.
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    expect(() => new Reader(bytes, limits).raw(5)).toThrow(/byte array too long/);
    expect(Array.from(new Reader(bytes, limits).raw(4))).toEqual([1, 2, 3, 4]);
    const text = new Writer().string('hello').finish();
    expect(new Reader(text, { ...limits, maxStringBytes: 5 }).string()).toBe('hello');
  });

  test('DecodeError carries the byte offset', () => {
    const offsetOf = (bytes: number[]) => {
      const r = new Reader(new Uint8Array(bytes));
      r.byte();
      r.byte();
      try {
        r.uint();
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        return (error as DecodeError).offset;
      }
      return undefined;
    };
    // A malformed value is reported where it starts; missing bytes where input ends.
    expect(offsetOf([1, 2, 0x81, 0x00])).toBe(2);
    expect(offsetOf([1, 2, 0x80])).toBe(3);
  });
});

describe('decodeWith', () => {
  test('rejects trailing bytes and non-Uint8Array input', () => {
    expect(() => decodeWith(new Uint8Array([1, 2]), (r) => r.byte())).toThrow(/trailing/);
    expect(() => decodeWith([1] as unknown as Uint8Array, (r) => r.byte())).toThrow(DecodeError);
  });

  test('turns stray exceptions into DecodeError', () => {
    expect(() =>
      decodeWith(new Uint8Array([1]), () => {
        throw new TypeError('bug in a decoder');
      }),
    ).toThrow(DecodeError);
  });

  test('random bytes through every reader method throw only DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(fc.nat(7), { maxLength: 10 }), (bytes, ops) => {
        try {
          decodeWith(bytes, (r) => {
            for (const op of ops) {
              [() => r.byte(), () => r.uint(), () => readInt(r), () => r.string(), () => r.replicaId(), () => r.count(), () => readJson(r), () => r.version(1)][op]!();
            }
          });
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });
});

describe('JSON values in binary', () => {
  test('round trip and canonical bytes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const w = new Writer();
        writeJson(w, value as never);
        const bytes = w.finish();
        const back = readJson(new Reader(bytes));
        const again = new Writer();
        writeJson(again, back);
        expect(again.finish()).toEqual(bytes);
      }),
    );
  });

  test('non-canonical JSON is rejected', () => {
    expect(() => readJson(new Reader(new Writer().string('{"b":1,"a":2}').finish()))).toThrow(DecodeError);
    expect(() => readJson(new Reader(new Writer().string('[1, 2]').finish()))).toThrow(DecodeError);
    expect(() => readJson(new Reader(new Writer().string('{').finish()))).toThrow(DecodeError);
  });
});
