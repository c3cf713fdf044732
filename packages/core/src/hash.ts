// FNV-1a (Fowler, Noll, Vo): a few lines, fast on short inputs, and good enough to
// tell encodings apart. Not a security measure: a hostile peer can make collisions.

/**
 * The 32-bit FNV-1a hash of some bytes. The sync protocol sends it as a hint that two
 * encoded states (or version vectors) are equal; the digest tree partitions document
 * names by it.
 *
 * @param bytes - the input
 * @returns an unsigned 32-bit integer
 *
 * @example
 * ```ts
 * import { fnv1a32 } from '@convergent/core';
 *
 * fnv1a32(new Uint8Array()); // => 0x811c9dc5
 * fnv1a32(new TextEncoder().encode('a')); // => 0xe40c292c
 * ```
 */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/**
 * The 64-bit FNV-1a hash of some bytes, computed in 32-bit halves (no `BigInt`
 * arithmetic per byte) and returned as a `bigint`. Used where 32 bits collide too
 * often: the digest tree XORs many of them together.
 *
 * @param bytes - the input
 * @returns an unsigned 64-bit integer
 *
 * @example
 * ```ts
 * import { fnv1a64 } from '@convergent/core';
 *
 * fnv1a64(new Uint8Array()); // => 0xcbf29ce484222325n
 * fnv1a64(new TextEncoder().encode('a')); // => 0xaf63dc4c8601ec8cn
 * ```
 */
export function fnv1a64(bytes: Uint8Array): bigint {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const byte of bytes) {
    lo ^= byte;
    // Times the prime 2^40 + 0x1b3: lo * 0x1b3 (exact in a double, below 2^41), its carry
    // into hi, hi * 0x1b3, and lo shifted 40 bits, which lands in hi shifted 8.
    const product = (lo >>> 0) * 0x1b3;
    const low = product >>> 0;
    hi = (Math.imul(hi, 0x1b3) + (product - low) / 2 ** 32 + (lo << 8)) >>> 0;
    lo = low;
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
