import type { Reader, Writer } from './codec.js';

/**
 * Appends a safe integer as a signed varint: sign and magnitude, the first byte
 * holding the continuation bit, the sign in bit 6 and six bits of magnitude.
 *
 * @param writer - where to write
 * @param value - an integer with absolute value at most `Number.MAX_SAFE_INTEGER`
 * @throws RangeError if `value` is not a safe integer
 *
 * @example
 * ```ts
 * import { readInt, writeInt, Reader, Writer } from '@convergent/core';
 *
 * const w = new Writer();
 * writeInt(w, -5);
 * Array.from(w.finish()); // => [69]
 * readInt(new Reader(new Uint8Array([69]))); // => -5
 * ```
 */
export function writeInt(writer: Writer, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError('not a safe integer');
  let magnitude = Math.abs(value);
  let byte = (magnitude % 0x40) | (value < 0 ? 0x40 : 0);
  magnitude = Math.floor(magnitude / 0x40);
  while (magnitude > 0) {
    writer.byte(byte | 0x80);
    byte = magnitude % 0x80;
    magnitude = Math.floor(magnitude / 0x80);
  }
  writer.byte(byte);
}

/**
 * Reads a signed varint written by {@link writeInt}, rejecting non-canonical forms
 * (trailing zero bytes, negative zero) and values past the safe range.
 *
 * @param reader - where to read
 * @returns the integer
 *
 * @example
 * ```ts
 * import { readInt, writeInt, Reader, Writer } from '@convergent/core';
 *
 * const w = new Writer();
 * writeInt(w, -1234567);
 * readInt(new Reader(w.finish())); // => -1234567
 * ```
 */
export function readInt(reader: Reader): number {
  const start = reader.offset;
  let byte = reader.byte();
  const negative = (byte & 0x40) !== 0;
  let magnitude = byte & 0x3f;
  let scale = 0x40;
  while (byte & 0x80) {
    if (scale > 2 ** 48) reader.fail('varint too long', start);
    byte = reader.byte();
    if (byte === 0) reader.fail('non-canonical varint', start);
    magnitude += (byte & 0x7f) * scale;
    scale *= 0x80;
  }
  if (!Number.isSafeInteger(magnitude)) reader.fail('value too large', start);
  if (negative && magnitude === 0) reader.fail('negative zero', start);
  return negative ? -magnitude : magnitude;
}
