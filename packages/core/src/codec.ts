import { DecodeError } from './errors.js';
import { replicaIdProblem, type ReplicaId } from './replica-id.js';

/**
 * Hard limits a {@link Reader} enforces on untrusted input. Every length and count
 * read is checked against them before anything is allocated.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS, type DecodeLimits } from '@convergent/core';
 *
 * const strict: DecodeLimits = { ...DEFAULT_LIMITS, maxStringBytes: 256 };
 * strict.maxStringBytes; // => 256
 * ```
 */
export interface DecodeLimits {
  /** Longest string, in UTF-8 bytes. */
  readonly maxStringBytes: number;
  /** Longest byte array read with `Reader.raw`. */
  readonly maxBytes: number;
  /** Most entries in any one collection. */
  readonly maxCount: number;
}

/**
 * The limits used when none are given: 16 MiB strings and byte arrays, 16 million
 * entries per collection. Lower them for input from untrusted peers.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from '@convergent/core';
 *
 * DEFAULT_LIMITS.maxCount; // => 16777216
 * ```
 */
export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({
  maxStringBytes: 1 << 24,
  maxBytes: 1 << 24,
  maxCount: 1 << 24,
});

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Appends binary values to a growing buffer: bytes, unsigned varints (LEB128, up
 * to `Number.MAX_SAFE_INTEGER`) and UTF-8 strings with a varint length prefix.
 * Signed integers: {@link writeInt}.
 *
 * @example
 * ```ts
 * import { Writer } from '@convergent/core';
 *
 * const w = new Writer();
 * w.byte(1).uint(300).string('hi');
 * Array.from(w.finish()); // => [1, 172, 2, 2, 104, 105]
 * ```
 */
export class Writer {
  private buffer = new Uint8Array(64);
  private length = 0;

  // Makes room for `n` more bytes, at least doubling so that appends stay amortised O(1).
  private reserve(n: number): Uint8Array {
    if (this.length + n > this.buffer.length) {
      const next = new Uint8Array(2 * (this.length + n));
      next.set(this.buffer);
      this.buffer = next;
    }
    return this.buffer;
  }

  /**
   * Appends one byte.
   * @param value - an integer from 0 to 255
   * @returns this writer
   */
  byte(value: number): this {
    // Masking changes every value but an integer from 0 to 255.
    if ((value & 0xff) !== value) throw new RangeError('not a byte');
    this.reserve(1)[this.length++] = value;
    return this;
  }

  /**
   * Appends a non-negative safe integer as an unsigned LEB128 varint.
   * @param value - an integer from 0 to `Number.MAX_SAFE_INTEGER`
   * @returns this writer
   */
  uint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('not a non-negative safe integer');
    // Division, not bit shifts: shifts truncate to 32 bits.
    for (; value > 0x7f; value = Math.floor(value / 0x80)) this.byte((value % 0x80) | 0x80);
    return this.byte(value);
  }

  /**
   * Appends bytes without a length prefix (the reader must know the length).
   * @param value - the bytes
   * @returns this writer
   */
  raw(value: Uint8Array): this {
    this.reserve(value.length).set(value, this.length);
    this.length += value.length;
    return this;
  }

  /**
   * Appends a length-prefixed UTF-8 string.
   * @param value - a well-formed string (no lone surrogates)
   * @returns this writer
   */
  string(value: string): this {
    if (!value.isWellFormed()) throw new RangeError('lone surrogate');
    const bytes = encoder.encode(value);
    return this.uint(bytes.length).raw(bytes);
  }

  /**
   * The bytes written so far, as a new array of exactly that length.
   * @returns the encoded bytes
   */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/**
 * Reads what a {@link Writer} wrote, from untrusted bytes: every read is bounds
 * checked, every length and count is checked against {@link DecodeLimits} and the
 * bytes left, varints must be canonical, strings must be valid UTF-8. Any fault
 * throws {@link DecodeError} with the byte offset.
 *
 * @example
 * ```ts
 * import { Reader, Writer } from '@convergent/core';
 *
 * const bytes = new Writer().uint(300).string('hi').finish();
 * const r = new Reader(bytes);
 * r.uint(); // => 300
 * r.string(); // => 'hi'
 * r.end();
 * ```
 */
export class Reader {
  /** Offset of the next byte to read. */
  offset = 0;
  /** The limits in force. */
  readonly limits: DecodeLimits;
  private readonly data: Uint8Array;

  /**
   * @param data - the bytes to read
   * @param limits - hard limits, defaulting to {@link DEFAULT_LIMITS}
   */
  constructor(data: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS) {
    this.data = data;
    this.limits = limits;
    if (!(data instanceof Uint8Array)) this.fail('not a Uint8Array');
  }

  /** Number of bytes not read yet. */
  get remaining(): number {
    return this.data.length - this.offset;
  }

  /**
   * Throws a {@link DecodeError}.
   * @param message - what is wrong
   * @param at - the offset of the fault (default: the current offset)
   */
  fail(message: string, at: number = this.offset): never {
    throw new DecodeError(message, { offset: at });
  }

  /**
   * Reads one byte.
   * @returns an integer from 0 to 255
   */
  byte(): number {
    if (this.remaining < 1) this.fail('truncated');
    return this.data[this.offset++]!;
  }

  /**
   * Reads an unsigned varint.
   * @param max - the largest value accepted (default `Number.MAX_SAFE_INTEGER`)
   * @returns the value
   */
  uint(max = Number.MAX_SAFE_INTEGER): number {
    const start = this.offset;
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        // A zero last byte adds nothing: a second, longer encoding of the same value.
        if (byte === 0 && scale > 1) this.fail('non-canonical varint', start);
        if (value > max) this.fail('value too large', start);
        return value;
      }
      // Eight bytes carry 56 bits, more than any safe integer needs.
      if (scale > 2 ** 42) this.fail('varint too long', start);
    }
  }

  /**
   * Reads a collection size, bounded by `limits.maxCount`, by `max` and by the
   * bytes left (each entry takes at least `minEntryBytes` bytes).
   * @param max - the largest count accepted
   * @param minEntryBytes - the fewest bytes one entry can take
   * @returns the count
   */
  count(max = Infinity, minEntryBytes = 1): number {
    const start = this.offset;
    const n = this.uint(Math.min(max, this.limits.maxCount));
    // Checked before the caller allocates anything for the entries.
    if (n * minEntryBytes > this.remaining) this.fail('count too large', start);
    return n;
  }

  /**
   * Reads `length` bytes without a prefix (a copy).
   * @param length - how many bytes
   * @param max - the most accepted (default `limits.maxBytes`)
   * @returns the bytes
   */
  raw(length: number, max = this.limits.maxBytes): Uint8Array {
    if (length > max) this.fail('byte array too long');
    if (length > this.remaining) this.fail('truncated');
    return this.data.slice(this.offset, (this.offset += length));
  }

  /**
   * Reads a length-prefixed UTF-8 string.
   * @param max - the longest length accepted, in bytes
   * @returns the string
   */
  string(max = Infinity): string {
    const start = this.offset;
    // Bounded by maxStringBytes, not maxBytes.
    const bytes = this.raw(this.uint(Math.min(max, this.limits.maxStringBytes)), Infinity);
    try {
      return decoder.decode(bytes);
    } catch {
      this.fail('invalid UTF-8', start);
    }
  }

  /**
   * Reads a {@link ReplicaId}, validating it.
   * @returns the id
   */
  replicaId(): ReplicaId {
    const start = this.offset;
    const id = this.string(256);
    const problem = replicaIdProblem(id);
    if (problem) this.fail(problem, start);
    return id as ReplicaId;
  }

  /**
   * Reads the format-version byte and checks it.
   * @param supported - the versions this decoder understands
   * @returns the version read
   */
  version(...supported: number[]): number {
    const start = this.offset;
    const v = this.byte();
    if (!supported.includes(v)) this.fail(`unknown version ${v}`, start);
    return v;
  }

  /** Asserts that every byte has been read. */
  end(): void {
    if (this.remaining) this.fail('trailing bytes');
  }
}

/**
 * Runs a decoder over untrusted bytes: checks the input type, enforces that every
 * byte is consumed, and turns any stray exception into a {@link DecodeError}, so a
 * decoder built on it throws nothing else.
 *
 * @param bytes - the input
 * @param read - reads one value from the reader
 * @param limits - hard limits for the reader
 * @returns what `read` returned
 *
 * @example
 * ```ts
 * import { decodeWith, type Reader } from '@convergent/core';
 *
 * const readCount = (r: Reader) => {
 *   r.version(1);
 *   return r.uint();
 * };
 * decodeWith(new Uint8Array([1, 5]), readCount); // => 5
 * ```
 */
export function decodeWith<T>(bytes: Uint8Array, read: (reader: Reader) => T, limits?: DecodeLimits): T {
  // Annotated so that the checker sees `reader.fail` (which never returns) end the catch.
  const reader: Reader = new Reader(bytes, limits);
  try {
    const value = read(reader);
    reader.end();
    return value;
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    // Any other exception is a decoder fault on this input: report it where reading stopped.
    reader.fail(String(error));
  }
}

/**
 * Decodes a type's binary format: its format-version byte, then the body `read`
 * takes, with the guarantees of {@link decodeWith} (only `DecodeError` escapes, every
 * byte is consumed, `limits` bound what is read). Every type's `decode` is this call.
 *
 * @param bytes - untrusted input
 * @param version - the one format version accepted (the first byte)
 * @param read - reads the body (a type's exported `read`)
 * @param limits - hard limits (default {@link DEFAULT_LIMITS})
 * @returns what `read` returned
 * @throws DecodeError on another version, on anything `read` rejects, or on trailing bytes
 *
 * @example
 * ```ts
 * import { decodeVersioned, type Reader } from '@convergent/core';
 *
 * decodeVersioned(new Uint8Array([1, 5]), 1, (r: Reader) => r.uint()); // => 5
 * ```
 */
export function decodeVersioned<T>(bytes: Uint8Array, version: number, read: (reader: Reader) => T, limits?: DecodeLimits): T {
  return decodeWith(
    bytes,
    (reader) => {
      reader.version(version);
      return read(reader);
    },
    limits,
  );
}
