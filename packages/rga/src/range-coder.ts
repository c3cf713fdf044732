import { Reader, type Writer } from '@convergent/core';

/**
 * @internal Adaptive binary range coding (the scheme LZMA uses) of unsigned integers,
 * for the run stream of the binary format.
 *
 * An integer `v` is coded as `v + 1` in Elias-gamma form: its bit length in unary, then
 * its bits below the leading one. The unary bits and the two bits after the leading one
 * are each coded with an adaptive probability, chosen by the caller's context (a small
 * integer) and the bit's place; the other bits are coded at one half, up to 16 at a
 * time. So values a context has seen often cost a fraction of a bit, and large ones
 * about twice their bit length at most.
 *
 * The reader takes exactly the bytes the writer wrote (no length is stored), and an
 * encoding is canonical when the reader's code is 0 at the end: the writer flushes the
 * exact bottom of the final interval. The range stays below 2^31, so that the reader's
 * arithmetic stays in small integers, which the engine keeps unboxed even before it
 * optimizes the code: loading a state reads hundreds of thousands of bits.
 */

/** Probability slots per context: 32 unary places and 3 × 32 for the bits after the leading one. */
const SLOTS = 128;
/** Probabilities are 11-bit; the chance of a 0 starts at one half and moves by 1/32 of the gap. */
const ONE = 2048;
const MOVE = 5;
/** Below this the range takes another byte. */
const TOP = 2 ** 23;
const TWO31 = 2 ** 31;
const TWO32 = 2 ** 32;

/** The `k` bits of `v` from bit `from` up. */
const bits = (v: number, from: number, k: number): number => (v < TWO31 ? (v >>> from) & ((1 << k) - 1) : Math.floor(v / 2 ** from) % 2 ** k);

/** @internal A coder writing into a {@link Writer} or reading from a {@link Reader}. */
export class RangeCoder {
  private readonly reader: Reader | null;
  private readonly p: Uint16Array;
  private range = TWO31 - 1;
  // Writing: the bottom of the interval. Reading: the code minus that bottom, below `range`.
  private low = 0;
  // Writing: the byte held back (a carry may still change it), and how many bytes are
  // held: it and the 0xFF bytes after it. The first byte held is always 0 and not written.
  private cache = 0;
  private held = 1;
  private first = true;

  /** Codes into or from `io`, with contexts 0 to `contexts - 1`. */
  constructor(
    private readonly io: Writer | Reader,
    contexts: number,
  ) {
    this.reader = io instanceof Reader ? io : null;
    this.p = new Uint16Array(contexts * SLOTS).fill(ONE / 2);
    if (this.reader) {
      for (let i = 0; i < 4; i++) this.low = this.low * 256 + this.reader.byte();
      // In a stream a writer wrote, the code stays below the range.
      if (this.low >= this.range) this.reader.fail('bad run stream');
    }
  }

  /**
   * Codes `value` (a safe unsigned integer; ignored when reading) in context `ctx` and
   * returns it (reading: the value read, failing past `max`).
   */
  int(ctx: number, value = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (this.reader) return this.read(ctx, max);
    const v = value + 1;
    const base = ctx * SLOTS;
    let len = 31 - Math.clz32(v);
    while (v >= 2 ** (len + 1)) len++;
    for (let i = 0; i < len; i++) this.bit(base + Math.min(i, 31), 1);
    this.bit(base + Math.min(len, 31), 0);
    if (len > 0) {
      const m = base + 31 + 3 * Math.min(len, 31);
      const x = 2 + this.bit(m + 1, bits(v, len - 1, 1));
      if (len > 1) this.bit(m + x, bits(v, len - 2, 1));
      for (let rest = len - 2; rest > 0; ) {
        const k = Math.min(rest, 16);
        rest -= k;
        const r = this.range >>> k;
        this.low += bits(v, rest, k) * r;
        for (this.range = r; this.range < TOP; this.range *= 256) this.shift();
      }
    }
    return value;
  }

  /** Writes bit `b` with the adaptive probability in `slot`; returns it. */
  private bit(slot: number, b: number): number {
    const p = this.p;
    const q = p[slot]!;
    const bound = (this.range >>> 11) * q;
    if (b) {
      this.low += bound;
      this.range -= bound;
      p[slot] = q - (q >> MOVE);
    } else {
      this.range = bound;
      p[slot] = q + ((ONE - q) >> MOVE);
    }
    while (this.range < TOP) {
      this.range *= 256;
      this.shift();
    }
    return b;
  }

  /** Moves the top byte of the interval's bottom out. */
  private shift(): void {
    const low = this.low;
    if (low < 0xff000000 || low >= TWO32) {
      const carry = low >= TWO32 ? 1 : 0;
      for (let byte = this.cache; this.held > 0; this.held--, byte = 0xff) {
        if (!this.first) (this.io as Writer).byte((byte + carry) & 0xff);
        this.first = false;
      }
      this.cache = Math.floor(low / 2 ** 24) & 0xff;
    }
    this.held++;
    this.low = (low % 2 ** 24) * 256;
  }

  /** Reads what {@link int} wrote: the same steps, inlined, on small integers only. */
  private read(ctx: number, max: number): number {
    const reader = this.reader!;
    const p = this.p;
    const base = ctx * SLOTS;
    let range = this.range;
    let low = this.low;
    let len = 0;
    let x = 1;
    // The unary bit length (`after` = 0), then up to two adaptive bits after the leading one.
    for (let after = 0; ; ) {
      const slot = after ? base + 31 + 3 * Math.min(len, 31) + x : base + Math.min(len, 31);
      const q = p[slot]!;
      const bound = (range >>> 11) * q;
      const b = low >= bound ? 1 : 0;
      if (b) {
        low -= bound;
        range -= bound;
        p[slot] = q - (q >> MOVE);
      } else {
        range = bound;
        p[slot] = q + ((ONE - q) >> MOVE);
      }
      while (range < TOP) {
        range *= 256;
        low = low * 256 + reader.byte();
      }
      if (after) x = x * 2 + b;
      else if (b) {
        if (++len > 53) reader.fail('bad integer');
        continue;
      }
      if (++after > Math.min(len, 2)) break;
    }
    for (let rest = len - 2; rest > 0; ) {
      const k = Math.min(rest, 16);
      rest -= k;
      const r = range >>> k;
      const bits = (low / r) | 0;
      if (bits >= 1 << k) reader.fail('bad run stream');
      low -= bits * r;
      range = r;
      while (range < TOP) {
        range *= 256;
        low = low * 256 + reader.byte();
      }
      x = x * (1 << k) + bits;
    }
    this.range = range;
    this.low = low;
    if (x - 1 > max) reader.fail('value too large');
    return x - 1;
  }

  /** Writes the last bytes, or checks that the stream ended where its writer flushed it. */
  finish(): void {
    if (!this.reader) for (let i = 0; i < 5; i++) this.shift();
    else if (this.low !== 0) this.reader.fail('non-canonical run stream');
  }
}
