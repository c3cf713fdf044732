import type { Reader, Writer } from '@convergent/core';

/**
 * @internal Adaptive binary range coding (the scheme LZMA uses) of unsigned integers,
 * for the run stream of the binary format.
 *
 * An integer `v` is coded as `v + 1` in Elias-gamma form: its bit length in unary, then
 * its bits below the leading one. The unary bits and the bit after the leading one are
 * each coded with an adaptive probability, chosen by the caller's context (a small
 * integer) and the bit's place; the other bits are coded at one half, up to 16 at a
 * time. So values a context has seen often cost a fraction of a bit, and large ones
 * about twice their bit length at most.
 *
 * The reader takes exactly the bytes the writer wrote (no length is stored), and an
 * encoding is canonical when the reader's code is 0 at the end: the writer ends with the
 * exact bottom of the final interval. The range stays below 2^31, so that the reader's
 * arithmetic stays in small integers.
 */

/**
 * Probability slots per context: the unary places of bit lengths 0 to 52, then the bit
 * after the leading one for lengths 1 to 52. Values stay below 2^53 - 1, so that every
 * value read is exact (a longer one could round to the same number as another stream).
 */
const SLOTS = 105;
/** Probabilities are 11-bit; the chance of a 0 starts at one half and moves by 1/32 of the gap. */
const ONE = 2048;
const MOVE = 5;
/** Below this the range takes another byte. */
const TOP = 2 ** 23;
const TWO31 = 2 ** 31;

/**
 * A probability table a closed coder no longer uses: allocating one costs more than
 * coding a small delta, so the next coder takes it.
 */
let spare: Uint16Array | null = null;

/** The `k` bits of `v` from bit `from` up. */
const bits = (v: number, from: number, k: number): number => (v < TWO31 ? (v >>> from) & ((1 << k) - 1) : Math.floor(v / 2 ** from) % 2 ** k);

/**
 * @internal Either end of a range-coded stream. Both take the same calls, `int(ctx,
 * value, max)`, so one function can walk a stream's fields for both ends.
 */
export type RangeCoder = RangeEncoder | RangeDecoder;

/** A probability table for `contexts` contexts, every chance at one half. */
const table = (contexts: number): Uint16Array => {
  const p = spare?.length === contexts * SLOTS ? spare : new Uint16Array(contexts * SLOTS);
  spare = null;
  return p.fill(ONE / 2);
};

/** @internal Writes a range-coded stream into a {@link Writer} when {@link close}d. */
export class RangeEncoder {
  private readonly p: Uint16Array;
  private range = TWO31 - 1;
  // The next 32 bits (and a carry) of the interval's bottom, whose earlier bytes are in `out`.
  private low = 0;
  private readonly out: number[] = [];

  /** Writes into `writer`, with contexts 0 to `contexts - 1`. */
  constructor(
    private readonly writer: Writer,
    contexts: number,
  ) {
    this.p = table(contexts);
  }

  /** Writes `value` (an integer from 0 to 2^53 - 2) in context `ctx`, and returns it (`_max` is for readers). */
  int(ctx: number, value: number, _max?: number): number {
    if (!Number.isSafeInteger(value) || value < 0 || value > 2 ** 53 - 2) throw new RangeError('value out of range');
    const base = ctx * SLOTS;
    const v = value + 1;
    let len = 31 - Math.clz32(v);
    while (v >= 2 ** (len + 1)) len++;
    // The bit length in unary, then the bit after the leading one: each with the
    // adaptive probability of its place.
    for (let i = 0; i <= len; i++) this.bit(base + i, i < len ? 1 : 0);
    if (len > 0) this.bit(base + 52 + len, bits(v, len - 1, 1));
    // The other bits, up to 16 at a time, each at one half.
    for (let rest = len - 1; rest > 0; ) {
      const k = rest < 16 ? rest : 16;
      rest -= k;
      const r = this.range >>> k;
      this.low += bits(v, rest, k) * r;
      for (this.range = r; this.range < TOP; this.range *= 256) this.low = this.shift(this.low);
    }
    return value;
  }

  /** Writes bit `b` with the adaptive probability in `slot`. */
  private bit(slot: number, b: number): void {
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
    for (; this.range < TOP; this.range *= 256) this.low = this.shift(this.low);
  }

  /** Moves the top byte of the interval's bottom out, adding its carry to the bytes before; returns the new bottom. */
  private shift(low: number): number {
    const top = Math.floor(low / 2 ** 24);
    const out = this.out;
    if (top > 0xff) {
      let i = out.length - 1;
      for (; out[i] === 0xff; i--) out[i] = 0;
      out[i]!++;
    }
    out.push(top & 0xff);
    return (low % 2 ** 24) * 256;
  }

  /** Writes the stream, ending with the exact bottom of the final interval. */
  close(): void {
    spare = this.p;
    for (let i = 0; i < 4; i++) this.low = this.shift(this.low);
    this.writer.raw(Uint8Array.from(this.out));
  }
}

/** @internal Reads a stream that a {@link RangeEncoder} wrote; {@link close} it before reading anything else. */
export class RangeDecoder {
  private readonly p: Uint16Array;
  private range = TWO31 - 1;
  // The code minus the bottom of the interval: below `range` in a stream an encoder wrote.
  private low = 0;

  /** Reads from `reader`, with contexts 0 to `contexts - 1`. */
  constructor(
    private readonly reader: Reader,
    contexts: number,
  ) {
    this.p = table(contexts);
    for (let i = 0; i < 4; i++) this.low = this.low * 256 + reader.byte();
    if (this.low >= this.range) reader.fail('bad run stream');
  }

  /**
   * Reads a value that {@link RangeEncoder.int} wrote in context `ctx` (`_value` is
   * ignored), failing past `max`: the same steps, inlined, on small integers only (the
   * engine keeps those unboxed even before it optimizes the code, and loading a state
   * reads a few hundred thousand bits).
   */
  int(ctx: number, _value?: number, max = Number.MAX_SAFE_INTEGER): number {
    const reader = this.reader;
    const p = this.p;
    const base = ctx * SLOTS;
    let range = this.range;
    let low = this.low;
    let len = 0;
    let x = 1;
    for (let slot = base, unary = true; ; ) {
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
      for (; range < TOP; range *= 256) low = low * 256 + reader.byte();
      if (!unary) {
        x = 2 + b;
        break;
      }
      if (b) {
        if (++len > 52) reader.fail('bad integer');
        slot++;
      } else if (len === 0) break;
      else {
        unary = false;
        slot = base + 52 + len;
      }
    }
    for (let rest = len - 1; rest > 0; ) {
      const k = rest < 16 ? rest : 16;
      rest -= k;
      const r = range >>> k;
      const chunk = (low / r) | 0;
      if (chunk >= 1 << k) reader.fail('bad run stream');
      low -= chunk * r;
      for (range = r; range < TOP; range *= 256) low = low * 256 + reader.byte();
      x = x * (1 << k) + chunk;
    }
    this.range = range;
    this.low = low;
    if (x - 1 > max) reader.fail('value too large');
    return x - 1;
  }

  /** Checks that the stream ended where its encoder closed it. */
  close(): void {
    spare = this.p;
    if (this.low !== 0) this.reader.fail('non-canonical run stream');
  }
}
