import { decodeWith, DecodeError, DEFAULT_LIMITS, readCounts, writeCounts, Writer, type Counts, type ReplicaId } from '@convergent/core';
import { ProtocolVersionError } from './errors.js';

/** Format version of {@link encodeMessage}. Version 1 carried whole version vectors with every delta. */
const VERSION = 2;
const KINDS = ['sync', 'state', 'ack'] as const;
/** Longest document name, in UTF-8 bytes. */
export const MAX_DOC_BYTES = 256;

/**
 * Size limits a {@link Replica} enforces on what it receives (and refuses to send).
 * Lower them for peers you do not trust.
 *
 * @example
 * ```ts
 * import { DEFAULT_SYNC_LIMITS, type SyncLimits } from '@convergent/sync';
 *
 * const small: SyncLimits = { ...DEFAULT_SYNC_LIMITS, maxMessageBytes: 65536, maxStateBytes: 65000 };
 * small.maxMessageBytes; // => 65536
 * ```
 */
export interface SyncLimits {
  /** Largest message accepted or sent, in bytes; checked before anything is parsed. */
  readonly maxMessageBytes: number;
  /** Largest encoded state (a delta or a full state) inside one message, in bytes. */
  readonly maxStateBytes: number;
  /** Most entries in a version vector carried by a message, and most replicas a payload may name (passed to the type's `decode` as `maxCount`). */
  readonly maxReplicas: number;
  /** Most early deltas held back until their causes arrive; past it the oldest is dropped (anti-entropy repairs it). */
  readonly maxPending: number;
  /**
   * Most bytes a delta log keeps to answer peers; past it the oldest entries go (peers
   * further behind get the full state). It bounds real memory: the log keeps each
   * delta encoded, and counts its bytes plus a fixed overhead per entry and per
   * replica id the entry names (see the sync guide's cost model).
   */
  readonly maxLogBytes: number;
}

/**
 * The limits used when none are given: 16 MiB messages and states, 16,384 replicas
 * per version vector, 1,024 held-back deltas, a 4 MiB delta log.
 *
 * @example
 * ```ts
 * import { DEFAULT_SYNC_LIMITS } from '@convergent/sync';
 *
 * DEFAULT_SYNC_LIMITS.maxMessageBytes; // => 16777216
 * ```
 */
export const DEFAULT_SYNC_LIMITS: SyncLimits = Object.freeze({
  maxMessageBytes: 1 << 24,
  maxStateBytes: 1 << 24,
  maxReplicas: 1 << 14,
  maxPending: 1024,
  maxLogBytes: 1 << 22,
});

/**
 * "Here is what I have seen; send me what I lack." Sent when a link comes up, on
 * every {@link Replica.sync} call and gossip round, and when a delta arrives before its
 * causes (then to its author only).
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { decodeMessage, encodeMessage, type SyncRequest } from '@convergent/sync';
 *
 * const request: SyncRequest = { kind: 'sync', doc: 'likes', from: asReplicaId('a'), to: undefined, seen: new Map(), digest: undefined, ask: true, nonce: 7 };
 * decodeMessage(encodeMessage(request)).kind; // => 'sync'
 * ```
 */
export interface SyncRequest {
  /** Message kind. */
  readonly kind: 'sync';
  /** Name of the document; replicas ignore messages for other documents. */
  readonly doc: string;
  /** The sender. */
  readonly from: ReplicaId;
  /** The one replica asked (a gossip round, an ask-back), or `undefined` for every peer on the link. */
  readonly to: ReplicaId | undefined;
  /** What the sender has seen (delta logs and causal types). */
  readonly seen: Counts | undefined;
  /**
   * A 32-bit hash of the sender's encoded state (full-state sync), or in a gossip
   * round of its encoded version vector (delta logs, causal types), sent instead of
   * `seen`: a peer whose own hashes alike stays silent; one whose differs answers
   * (full state) or sends its vector back.
   */
  readonly digest: number | undefined;
  /** Whether a receiver's answer may make the sender send back what the receiver lacks. */
  readonly ask: boolean;
  /**
   * Broadcast requests: a random 32-bit number from which every receiver computes the
   * same one peer to answer (rendezvous hashing over the peers it knows), so that
   * peers do not all send the same answer; `undefined`: every receiver that can, answers.
   */
  readonly nonce: number | undefined;
}

/**
 * A state to merge: a delta from a local update (broadcast), or an answer to a
 * {@link SyncRequest} (addressed to the requester).
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { decodeMessage, encodeMessage, type StateMessage } from '@convergent/sync';
 *
 * const message: StateMessage = {
 *   kind: 'state', doc: 'likes', from: asReplicaId('a'), to: undefined, ask: false,
 *   seq: undefined, deps: undefined, covers: undefined, payload: new Uint8Array([1, 0]),
 * };
 * decodeMessage(encodeMessage(message)).kind; // => 'state'
 * ```
 */
export interface StateMessage {
  /** Message kind. */
  readonly kind: 'state';
  /** Name of the document. */
  readonly doc: string;
  /** The sender; for a delta-log delta (`seq` set), its author. */
  readonly from: ReplicaId;
  /** The one replica it answers (only that one merges it), or `undefined` for a broadcast delta. */
  readonly to: ReplicaId | undefined;
  /** Answers: whether the addressee should send back what the sender lacks (judged by `covers`, or by the full state itself). */
  readonly ask: boolean;
  /** Delta-log deltas: the author's sequence number for it (1, 2, …); the receiver must have merged the author's previous one first. */
  readonly seq: number | undefined;
  /**
   * Compact dependencies (delta logs and causal types): only the entries of the author's
   * version vector that changed since its previous delta (a causal type also names the
   * author's own count). Having merged the author's previous delta, the receiver has
   * seen the rest.
   */
  readonly deps: Counts | undefined;
  /**
   * Answers: the entries of the sender's version vector that the payload brings the
   * addressee up to (with `ask`, the whole vector, so that the addressee can tell what
   * the sender lacks). A delta log takes them as merged.
   */
  readonly covers: Counts | undefined;
  /** The state, encoded by the type's own `encode`. */
  readonly payload: Uint8Array;
}

/**
 * "I have stored these deltas of yours": a durable peer (a server) tells an author how
 * far it has stored the author's numbered deltas (`stored.get(author)` = n means 1..n).
 * Sent by {@link Replica.acknowledge}; the author exposes them as
 * {@link Replica.acknowledged}.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { decodeMessage, encodeMessage, type AckMessage } from '@convergent/sync';
 *
 * const ack: AckMessage = { kind: 'ack', doc: 'notes', from: asReplicaId('server'), to: asReplicaId('phone'), stored: new Map([[asReplicaId('phone'), 12]]) };
 * decodeMessage(encodeMessage(ack)).kind; // => 'ack'
 * ```
 */
export interface AckMessage {
  /** Message kind. */
  readonly kind: 'ack';
  /** Name of the document. */
  readonly doc: string;
  /** The durable peer. */
  readonly from: ReplicaId;
  /** The author it acknowledges to. */
  readonly to: ReplicaId;
  /** Per author, the highest sequence number stored (with all before it). */
  readonly stored: Counts;
}

/**
 * Every message of the sync protocol.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { SyncMessage } from '@convergent/sync';
 *
 * const message: SyncMessage = { kind: 'sync', doc: '', from: asReplicaId('a'), to: undefined, seen: undefined, digest: undefined, ask: false, nonce: undefined };
 * message.kind; // => 'sync'
 * ```
 */
export type SyncMessage = SyncRequest | StateMessage | AckMessage;

/**
 * Binary form of a message (format version 2): a version byte (2), a kind byte (1
 * sync, 2 state, 3 ack), the document name and the sender id (length-prefixed
 * UTF-8), a flags byte, then the fields the flags announce, in this order:
 * - sync: addressee (bit 2), seen vector (bit 0), digest (bit 3) and nonce (bit 4) as
 *   varints; bit 1 is `ask`;
 * - state: addressee (bit 1), `seq` (bit 3), deps vector (bit 0), covers vector
 *   (bit 2), then the payload's length and bytes; bit 4 is `ask`;
 * - ack: flags 0, the addressee, the stored vector.
 *
 * Version vectors are written canonically (`writeCounts`), so equal messages encode
 * to identical bytes.
 *
 * @param message - the message
 * @returns its bytes
 * @throws RangeError if a field cannot be encoded (a document name past 256 bytes, a digest or nonce that is not a 32-bit unsigned integer, a `seq` below 1)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { encodeMessage } from '@convergent/sync';
 *
 * const bytes = encodeMessage({ kind: 'sync', doc: 'd', from: asReplicaId('a'), to: undefined, seen: undefined, digest: undefined, ask: false, nonce: undefined });
 * Array.from(bytes); // => [2, 1, 1, 100, 1, 97, 0]
 * ```
 */
export function encodeMessage(message: SyncMessage): Uint8Array {
  const writer = new Writer().byte(VERSION).byte(KINDS.indexOf(message.kind) + 1);
  if (new TextEncoder().encode(message.doc).length > MAX_DOC_BYTES) throw new RangeError('document name too long');
  writer.string(message.doc).string(message.from);
  if (message.kind === 'sync') {
    const { to, seen, digest, nonce } = message;
    for (const n of [digest, nonce]) if (n !== undefined && !(Number.isInteger(n) && n >= 0 && n < 2 ** 32)) throw new RangeError('digest and nonce must be 32-bit unsigned integers');
    writer.byte((seen ? 1 : 0) | (message.ask ? 2 : 0) | (to !== undefined ? 4 : 0) | (digest !== undefined ? 8 : 0) | (nonce !== undefined ? 16 : 0));
    if (to !== undefined) writer.string(to);
    if (seen) writeCounts(writer, seen);
    if (digest !== undefined) writer.uint(digest);
    if (nonce !== undefined) writer.uint(nonce);
  } else if (message.kind === 'state') {
    const { to, seq, deps, covers } = message;
    if (seq !== undefined && !(Number.isSafeInteger(seq) && seq >= 1)) throw new RangeError('seq must be a positive integer');
    writer.byte((deps ? 1 : 0) | (to !== undefined ? 2 : 0) | (covers ? 4 : 0) | (seq !== undefined ? 8 : 0) | (message.ask ? 16 : 0));
    if (to !== undefined) writer.string(to);
    if (seq !== undefined) writer.uint(seq);
    if (deps) writeCounts(writer, deps);
    if (covers) writeCounts(writer, covers);
    writer.uint(message.payload.length).raw(message.payload);
  } else {
    writer.byte(0).string(message.to);
    writeCounts(writer, message.stored);
  }
  return writer.finish();
}

/**
 * Decodes an untrusted message, enforcing `limits` before allocating anything: the
 * whole message against `maxMessageBytes`, the payload against `maxStateBytes`,
 * each version vector against `maxReplicas`. The payload stays bytes; the
 * {@link Replica} decodes it with the type's own decoder.
 *
 * @param bytes - the bytes
 * @param limits - size limits (default {@link DEFAULT_SYNC_LIMITS})
 * @returns the message
 * @throws ProtocolVersionError for a message of another format version (a peer on
 * an older `@convergent/sync`)
 * @throws DecodeError on anything else {@link encodeMessage} does not produce:
 * truncated or oversized input, an unknown kind or flag, an invalid replica id, an
 * unsorted or zero vector entry, trailing bytes
 *
 * @example
 * ```ts
 * import { DecodeError } from '@convergent/core';
 * import { decodeMessage } from '@convergent/sync';
 *
 * decodeMessage(new Uint8Array([2, 1, 1, 100, 1, 97, 0])).from; // => 'a'
 * let caught: unknown;
 * try {
 *   decodeMessage(new Uint8Array([2, 9]));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof DecodeError; // => true
 * ```
 */
export function decodeMessage(bytes: Uint8Array, limits: SyncLimits = DEFAULT_SYNC_LIMITS): SyncMessage {
  if (bytes instanceof Uint8Array && bytes.length > limits.maxMessageBytes)
    throw new DecodeError(`message of ${bytes.length} bytes past the limit of ${limits.maxMessageBytes}`, { offset: 0 });
  if (bytes instanceof Uint8Array && bytes.length > 0 && bytes[0] !== VERSION) throw new ProtocolVersionError(bytes[0]!, VERSION);
  const readerLimits = { ...DEFAULT_LIMITS, maxCount: limits.maxReplicas, maxBytes: limits.maxStateBytes };
  return decodeWith(
    bytes,
    (r): SyncMessage => {
      r.version(VERSION);
      const kindAt = r.offset;
      const kind = KINDS[r.byte() - 1] ?? r.fail('unknown message kind', kindAt);
      const doc = r.string(MAX_DOC_BYTES);
      if (!doc.isWellFormed()) r.fail('document name not well-formed');
      const from = r.replicaId();
      const flagsAt = r.offset;
      const flags = r.byte();
      if (flags > { sync: 31, state: 31, ack: 0 }[kind]) r.fail('unknown flags', flagsAt);
      if (kind === 'ack') return { kind, doc, from, to: r.replicaId(), stored: readCounts(r) };
      if (kind === 'sync') {
        const to = flags & 4 ? r.replicaId() : undefined;
        const seen = flags & 1 ? readCounts(r) : undefined;
        const word = (present: number) => {
          const at = r.offset;
          const n = flags & present ? r.uint() : undefined;
          if (n !== undefined && n >= 2 ** 32) r.fail('digest or nonce past 32 bits', at);
          return n;
        };
        const digest = word(8);
        return { kind, doc, from, to, seen, digest, ask: (flags & 2) !== 0, nonce: word(16) };
      }
      const to = flags & 2 ? r.replicaId() : undefined;
      const seqAt = r.offset;
      const seq = flags & 8 ? r.uint() : undefined;
      if (seq === 0) r.fail('seq 0', seqAt);
      const deps = flags & 1 ? readCounts(r) : undefined;
      const covers = flags & 4 ? readCounts(r) : undefined;
      const lengthAt = r.offset;
      const length = r.uint();
      if (length > limits.maxStateBytes) r.fail(`state of ${length} bytes past the limit of ${limits.maxStateBytes}`, lengthAt);
      const payload = r.raw(length);
      return { kind, doc, from, to, ask: (flags & 16) !== 0, seq, deps, covers, payload };
    },
    readerLimits,
  );
}
