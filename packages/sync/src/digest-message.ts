import { decodeWith, DecodeError, DEFAULT_LIMITS, fnv1a32, Writer, type Reader } from '@convergent/core';
import { MAX_DOC_BYTES } from './message.js';

// The first byte of every digest message: never a sync format version (1 or 2), so a
// transport that carries both can tell them apart by it.
const FORMAT = 0xd1;
const KINDS = ['digest-request', 'digest-response'] as const;
/** Bits of the name's path consumed per level: 16 children per node. */
export const FANOUT_BITS = 4;
/** Deepest level: the whole 32-bit path. Its nodes are always answered with their names. */
export const MAX_LEVEL = 32 / FANOUT_BITS;
const encoder = new TextEncoder();

/**
 * Where a document name sits in every digest tree: a 32-bit hash of its UTF-8 bytes
 * (FNV-1a, then MurmurHash3's finaliser, because FNV-1a's low bits mix poorly). Node
 * `(level, prefix)` holds the names whose path starts with the `4 × level` bits of
 * `prefix`, so two trees have the same shape without agreeing on anything.
 *
 * @param name - a document name
 * @returns an unsigned 32-bit integer
 *
 * @example
 * ```ts
 * import { namePath } from '@convergent/sync';
 *
 * namePath('notes') === namePath('notes'); // => true
 * namePath('notes') >= 0 && namePath('notes') < 2 ** 32; // => true
 * ```
 */
export function namePath(name: string): number {
  return utf8Path(encoder.encode(name));
}

/** {@link namePath} of a name's UTF-8 bytes. */
export function utf8Path(bytes: Uint8Array): number {
  let h = fnv1a32(bytes);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The prefix of `path` at `level`: its first `4 × level` bits.
 *
 * @param path - a {@link namePath}
 * @param level - 0 (the root) to 8
 * @returns the node's prefix
 *
 * @example
 * ```ts
 * import { pathPrefix } from '@convergent/sync';
 *
 * pathPrefix(0xabcdef12, 0); // => 0
 * pathPrefix(0xabcdef12, 2); // => 0xab
 * pathPrefix(0xabcdef12, 8); // => 0xabcdef12
 * ```
 */
export function pathPrefix(path: number, level: number): number {
  // `>>> 32` would shift by 0: the root is special.
  return level === 0 ? 0 : path >>> (32 - FANOUT_BITS * level);
}

/**
 * Size limits a digest tree enforces on the digest messages it decodes.
 *
 * @example
 * ```ts
 * import { DEFAULT_DIGEST_LIMITS, type DigestLimits } from '@convergent/sync';
 *
 * const strict: DigestLimits = { ...DEFAULT_DIGEST_LIMITS, maxNodes: 64 };
 * strict.maxNodes; // => 64
 * ```
 */
export interface DigestLimits {
  /** Largest message, in bytes; checked before anything is parsed. */
  readonly maxMessageBytes: number;
  /** Most nodes in a request, and most items in a response (a session sends requests no larger). */
  readonly maxNodes: number;
  /** Most names in one `entries` item (a responder sends no more). */
  readonly maxEntries: number;
}

/**
 * The limits used when none are given: 16 MiB messages, 1,024 nodes per request,
 * 65,536 names per node listing.
 *
 * @example
 * ```ts
 * import { DEFAULT_DIGEST_LIMITS } from '@convergent/sync';
 *
 * DEFAULT_DIGEST_LIMITS.maxNodes; // => 1024
 * ```
 */
export const DEFAULT_DIGEST_LIMITS: DigestLimits = Object.freeze({
  maxMessageBytes: 1 << 24,
  maxNodes: 1 << 10,
  maxEntries: 1 << 16,
});

/**
 * One node of a digest tree, as the sender holds it: the XOR of the 64-bit hashes of
 * the (name, version) pairs under it, `0n` when it holds none.
 *
 * @example
 * ```ts
 * import type { DigestNode } from '@convergent/sync';
 *
 * const root: DigestNode = { level: 0, prefix: 0, hash: 0n };
 * root.level; // => 0
 * ```
 */
export interface DigestNode {
  /** Depth: 0 is the root, 8 the deepest. */
  readonly level: number;
  /** The first `4 × level` bits of the paths of the names under the node. */
  readonly prefix: number;
  /** The node's hash. */
  readonly hash: bigint;
}

/**
 * "Here are some of my nodes; for each that differs from yours, show me what is under
 * it." Sent by a {@link DigestSession}, answered by {@link DigestTree.answer}.
 *
 * @example
 * ```ts
 * import { decodeDigestMessage, encodeDigestMessage, type DigestRequest } from '@convergent/sync';
 *
 * const request: DigestRequest = { kind: 'digest-request', nodes: [{ level: 0, prefix: 0, hash: 7n }] };
 * decodeDigestMessage(encodeDigestMessage(request)).kind; // => 'digest-request'
 * ```
 */
export interface DigestRequest {
  /** Message kind. */
  readonly kind: 'digest-request';
  /** The nodes to compare. */
  readonly nodes: readonly DigestNode[];
}

/**
 * A responder's node that differs, opened one level: its 16 children's hashes
 * (`0n` for an empty child).
 *
 * @example
 * ```ts
 * import type { DigestChildren } from '@convergent/sync';
 *
 * const item: DigestChildren = { kind: 'children', level: 0, prefix: 0, hashes: Array.from({ length: 16 }, () => 0n) };
 * item.hashes.length; // => 16
 * ```
 */
export interface DigestChildren {
  /** Item kind. */
  readonly kind: 'children';
  /** The node's level (below 8). */
  readonly level: number;
  /** The node's prefix. */
  readonly prefix: number;
  /** Child `i` has prefix `16 × prefix + i`. */
  readonly hashes: readonly bigint[];
}

/**
 * A responder's node that differs and holds few names: all of them, each with the
 * hash of its (name, version) pair, sorted by name.
 *
 * @example
 * ```ts
 * import { namePath, pathPrefix, type DigestEntries } from '@convergent/sync';
 *
 * const item: DigestEntries = { kind: 'entries', level: 1, prefix: pathPrefix(namePath('notes'), 1), entries: [['notes', 12n]] };
 * item.entries.length; // => 1
 * ```
 */
export interface DigestEntries {
  /** Item kind. */
  readonly kind: 'entries';
  /** The node's level. */
  readonly level: number;
  /** The node's prefix. */
  readonly prefix: number;
  /** `[name, hash of (name, version)]`, names strictly increasing, each under the node. */
  readonly entries: ReadonlyArray<readonly [string, bigint]>;
}

/**
 * The answer to one {@link DigestRequest}: an item for each requested node that differs
 * (none: the trees agree on every node asked about).
 *
 * @example
 * ```ts
 * import { decodeDigestMessage, encodeDigestMessage, type DigestResponse } from '@convergent/sync';
 *
 * const response: DigestResponse = { kind: 'digest-response', items: [] };
 * decodeDigestMessage(encodeDigestMessage(response)).kind; // => 'digest-response'
 * ```
 */
export interface DigestResponse {
  /** Message kind. */
  readonly kind: 'digest-response';
  /** One item per node that differs. */
  readonly items: ReadonlyArray<DigestChildren | DigestEntries>;
}

/**
 * Every message of the digest-tree exchange.
 *
 * @example
 * ```ts
 * import type { DigestMessage } from '@convergent/sync';
 *
 * const message: DigestMessage = { kind: 'digest-response', items: [] };
 * message.kind; // => 'digest-response'
 * ```
 */
export type DigestMessage = DigestRequest | DigestResponse;

function writeHash(writer: Writer, hash: bigint): void {
  if (typeof hash !== 'bigint' || hash < 0n || hash >= 1n << 64n) throw new RangeError('a hash must be a 64-bit unsigned bigint');
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, hash);
  writer.raw(bytes);
}

function readHash(r: Reader): bigint {
  const bytes = r.raw(8);
  return new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0);
}

function checkNode(level: number, prefix: number): void {
  if (!(Number.isInteger(level) && level >= 0 && level <= MAX_LEVEL)) throw new RangeError('level must be an integer from 0 to 8');
  if (!(Number.isInteger(prefix) && prefix >= 0 && prefix < 2 ** (FANOUT_BITS * level))) throw new RangeError(`prefix out of range for level ${level}`);
}

function readNode(r: Reader): { level: number; prefix: number } {
  const at = r.offset;
  const level = r.byte();
  if (level > MAX_LEVEL) r.fail('level past 8', at);
  const prefix = r.uint(2 ** (FANOUT_BITS * level) - 1);
  return { level, prefix };
}

/**
 * Binary form of a digest message: the byte `0xd1` (never a sync message's first
 * byte), a kind byte (1 request, 2 response), a count, then
 * - request: per node its level (a byte), prefix (varint) and hash (8 bytes, big-endian);
 * - response: per item a tag (1 children, 2 entries), level and prefix; children: a
 *   16-bit map of the non-empty children (varint) and their hashes; entries: a count,
 *   then per name the name (length-prefixed UTF-8) and hash.
 *
 * @param message - the message
 * @returns its bytes
 * @throws RangeError for a field out of range (a level past 8, a prefix past its level,
 * a name past 256 bytes, unsorted names, a name outside its node, a hash that is not a
 * 64-bit unsigned bigint)
 *
 * @example
 * ```ts
 * import { encodeDigestMessage } from '@convergent/sync';
 *
 * Array.from(encodeDigestMessage({ kind: 'digest-response', items: [] })); // => [0xd1, 2, 0]
 * ```
 */
export function encodeDigestMessage(message: DigestMessage): Uint8Array {
  const writer = new Writer().byte(FORMAT).byte(KINDS.indexOf(message.kind) + 1);
  if (message.kind === 'digest-request') {
    writer.uint(message.nodes.length);
    for (const { level, prefix, hash } of message.nodes) {
      checkNode(level, prefix);
      writer.byte(level).uint(prefix);
      writeHash(writer, hash);
    }
    return writer.finish();
  }
  writer.uint(message.items.length);
  for (const item of message.items) {
    checkNode(item.level, item.prefix);
    writer.byte(item.kind === 'children' ? 1 : 2).byte(item.level).uint(item.prefix);
    if (item.kind === 'children') {
      if (item.level === MAX_LEVEL || item.hashes.length !== 1 << FANOUT_BITS) throw new RangeError('children: 16 hashes, below level 8');
      writer.uint(item.hashes.reduce((map, hash, i) => (hash === 0n ? map : map | (1 << i)), 0));
      for (const hash of item.hashes) if (hash !== 0n) writeHash(writer, hash);
    } else {
      writer.uint(item.entries.length);
      let previous: string | undefined;
      for (const [name, hash] of item.entries) {
        if (encoder.encode(name).length > MAX_DOC_BYTES) throw new RangeError('document name too long');
        if (previous !== undefined && !(previous < name)) throw new RangeError('entries must be sorted by name, without repeats');
        if (pathPrefix(namePath(name), item.level) !== item.prefix) throw new RangeError(`${JSON.stringify(name)} is not under its node`);
        writer.string(name);
        writeHash(writer, hash);
        previous = name;
      }
    }
  }
  return writer.finish();
}

/**
 * Decodes an untrusted digest message, enforcing `limits` before allocating anything
 * and checking everything {@link encodeDigestMessage} checks, so what it returns is
 * what an honest peer could have sent.
 *
 * @param bytes - the bytes
 * @param limits - size limits (default {@link DEFAULT_DIGEST_LIMITS})
 * @returns the message
 * @throws DecodeError on anything {@link encodeDigestMessage} does not produce:
 * truncated or oversized input, an unknown kind or tag, a level past 8, a prefix past
 * its level, a zero child hash, names unsorted or outside their node, too many nodes
 * or names, trailing bytes
 *
 * @example
 * ```ts
 * import { DecodeError } from '@convergent/core';
 * import { decodeDigestMessage } from '@convergent/sync';
 *
 * decodeDigestMessage(new Uint8Array([0xd1, 2, 0])).kind; // => 'digest-response'
 * let caught: unknown;
 * try {
 *   decodeDigestMessage(new Uint8Array([0xd1, 1, 1, 9])); // level 9
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof DecodeError; // => true
 * ```
 */
export function decodeDigestMessage(bytes: Uint8Array, limits: DigestLimits = DEFAULT_DIGEST_LIMITS): DigestMessage {
  if (bytes instanceof Uint8Array && bytes.length > limits.maxMessageBytes)
    throw new DecodeError(`digest message of ${bytes.length} bytes past the limit of ${limits.maxMessageBytes}`, { offset: 0 });
  const readerLimits = { ...DEFAULT_LIMITS, maxStringBytes: MAX_DOC_BYTES, maxCount: Math.max(limits.maxNodes, limits.maxEntries) };
  return decodeWith(
    bytes,
    (r): DigestMessage => {
      r.version(FORMAT);
      const kindAt = r.offset;
      const kind = KINDS[r.byte() - 1] ?? r.fail('unknown digest message kind', kindAt);
      if (kind === 'digest-request') {
        // A node takes at least 10 bytes: level, prefix, hash.
        const nodes = Array.from({ length: r.count(limits.maxNodes, 10) }, (): DigestNode => ({ ...readNode(r), hash: readHash(r) }));
        return { kind, nodes };
      }
      const items = Array.from({ length: r.count(limits.maxNodes, 4) }, (): DigestChildren | DigestEntries => {
        const tagAt = r.offset;
        const tag = r.byte();
        if (tag !== 1 && tag !== 2) r.fail('unknown digest item tag', tagAt);
        const { level, prefix } = readNode(r);
        if (tag === 1) {
          if (level === MAX_LEVEL) r.fail('children of a level-8 node', tagAt);
          const map = r.uint(0xffff);
          return { kind: 'children', level, prefix, hashes: Array.from({ length: 1 << FANOUT_BITS }, (_, i) => (map & (1 << i) ? nonZero(r) : 0n)) };
        }
        let previous: string | undefined;
        const entries = Array.from({ length: r.count(limits.maxEntries, 9) }, (): readonly [string, bigint] => {
          const at = r.offset;
          const name = r.string(MAX_DOC_BYTES);
          if (previous !== undefined && !(previous < name)) r.fail('names unsorted or repeated', at);
          if (pathPrefix(namePath(name), level) !== prefix) r.fail('name outside its node', at);
          previous = name;
          return [name, readHash(r)];
        });
        return { kind: 'entries', level, prefix, entries };
      });
      return { kind, items };
    },
    readerLimits,
  );
}

function nonZero(r: Reader): bigint {
  const at = r.offset;
  const hash = readHash(r);
  if (hash === 0n) r.fail('zero hash for a non-empty child', at);
  return hash;
}
