import { decodeWith, DecodeError, DEFAULT_LIMITS, readCounts, writeCounts, Writer, type Counts, type ReplicaId } from '@convergent/core';

/** Format version of {@link encodeMessage}. */
const VERSION = 1;
const KIND_SYNC = 1;
const KIND_STATE = 2;
/** Longest document name, in UTF-8 bytes. */
const MAX_DOC_BYTES = 256;

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
  /** Most entries in a version vector carried by a message. */
  readonly maxReplicas: number;
  /** Most early deltas held back until their causes arrive; past it the oldest is dropped (anti-entropy repairs it). */
  readonly maxPending: number;
  /** Most bytes of deltas a replica with a delta log keeps to answer peers; past it the oldest go (peers further behind get the full state). */
  readonly maxLogBytes: number;
}

/**
 * The limits used when none are given: 16 MiB messages and states, 65,536 replicas
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
  maxReplicas: 1 << 16,
  maxPending: 1024,
  maxLogBytes: 1 << 22,
});

/**
 * "Here is what I have seen; send me what I lack." Sent when a link comes up, on
 * every {@link Replica.sync} call and when a delta arrives before its causes.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { decodeMessage, encodeMessage, type SyncRequest } from '@convergent/sync';
 *
 * const request: SyncRequest = { kind: 'sync', doc: 'likes', from: asReplicaId('a'), seen: new Map(), ask: true };
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
  /** What the sender has seen, for causal types; `undefined` asks for the full state. */
  readonly seen: Counts | undefined;
  /** Whether a receiver that lacks something the sender has should ask back. */
  readonly ask: boolean;
}

/**
 * A state to merge: a delta from a local update (broadcast), or the answer to a
 * {@link SyncRequest} (addressed to the requester).
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { decodeMessage, encodeMessage, type StateMessage } from '@convergent/sync';
 *
 * const message: StateMessage = {
 *   kind: 'state', doc: 'likes', from: asReplicaId('a'), to: undefined, deps: undefined, covers: undefined, payload: new Uint8Array([1, 0]),
 * };
 * decodeMessage(encodeMessage(message)).kind; // => 'state'
 * ```
 */
export interface StateMessage {
  /** Message kind. */
  readonly kind: 'state';
  /** Name of the document. */
  readonly doc: string;
  /** The sender. */
  readonly from: ReplicaId;
  /** The one replica it answers (only that one merges it), or `undefined` for a broadcast delta. */
  readonly to: ReplicaId | undefined;
  /** What a receiver must have seen before it may merge the payload (causal types and delta logs). */
  readonly deps: Counts | undefined;
  /** Delta logs: the events the payload brings; after merging it the receiver has seen `deps` joined with `covers`. */
  readonly covers: Counts | undefined;
  /** The state, encoded by the type's own `encode`. */
  readonly payload: Uint8Array;
}

/**
 * Every message of the sync protocol.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { SyncMessage } from '@convergent/sync';
 *
 * const message: SyncMessage = { kind: 'sync', doc: '', from: asReplicaId('a'), seen: undefined, ask: false };
 * message.kind; // => 'sync'
 * ```
 */
export type SyncMessage = SyncRequest | StateMessage;

/**
 * Binary form of a message: a format-version byte (1), a kind byte (1 sync, 2
 * state), the document name and the sender id (length-prefixed UTF-8), a flags
 * byte, then for `sync` the optional version vector (bit 0) with bit 1 holding
 * `ask`; for `state` the optional addressee (bit 1), dependency vector (bit 0) and
 * covered vector (bit 2), then the payload's length and bytes. Version vectors are written canonically
 * (`writeCounts`), so equal messages encode to identical bytes.
 *
 * @param message - the message
 * @returns its bytes
 * @throws RangeError if a field cannot be encoded (a document name past 256 bytes)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { encodeMessage } from '@convergent/sync';
 *
 * const bytes = encodeMessage({ kind: 'sync', doc: 'd', from: asReplicaId('a'), seen: undefined, ask: false });
 * Array.from(bytes); // => [1, 1, 1, 100, 1, 97, 0]
 * ```
 */
export function encodeMessage(message: SyncMessage): Uint8Array {
  const writer = new Writer().byte(VERSION);
  writer.byte(message.kind === 'sync' ? KIND_SYNC : KIND_STATE);
  if (new TextEncoder().encode(message.doc).length > MAX_DOC_BYTES) throw new RangeError('document name too long');
  writer.string(message.doc).string(message.from);
  if (message.kind === 'sync') {
    writer.byte((message.seen ? 1 : 0) | (message.ask ? 2 : 0));
    if (message.seen) writeCounts(writer, message.seen);
  } else {
    writer.byte((message.deps ? 1 : 0) | (message.to !== undefined ? 2 : 0) | (message.covers ? 4 : 0));
    if (message.to !== undefined) writer.string(message.to);
    if (message.deps) writeCounts(writer, message.deps);
    if (message.covers) writeCounts(writer, message.covers);
    writer.uint(message.payload.length).raw(message.payload);
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
 * @throws DecodeError on anything {@link encodeMessage} does not produce: truncated
 * or oversized input, an unknown version, kind or flag, an invalid replica id, an
 * unsorted or zero vector entry, trailing bytes
 *
 * @example
 * ```ts
 * import { DecodeError } from '@convergent/core';
 * import { decodeMessage } from '@convergent/sync';
 *
 * decodeMessage(new Uint8Array([1, 1, 1, 100, 1, 97, 0])).from; // => 'a'
 * let caught: unknown;
 * try {
 *   decodeMessage(new Uint8Array([1, 9]));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof DecodeError; // => true
 * ```
 */
export function decodeMessage(bytes: Uint8Array, limits: SyncLimits = DEFAULT_SYNC_LIMITS): SyncMessage {
  if (bytes instanceof Uint8Array && bytes.length > limits.maxMessageBytes)
    throw new DecodeError(`message of ${bytes.length} bytes past the limit of ${limits.maxMessageBytes}`, { offset: 0 });
  const readerLimits = { ...DEFAULT_LIMITS, maxCount: limits.maxReplicas, maxBytes: limits.maxStateBytes };
  return decodeWith(
    bytes,
    (r): SyncMessage => {
      r.version(VERSION);
      const kindAt = r.offset;
      const kind = r.byte();
      if (kind !== KIND_SYNC && kind !== KIND_STATE) r.fail(`unknown message kind ${kind}`, kindAt);
      const doc = r.string(MAX_DOC_BYTES);
      if (!doc.isWellFormed()) r.fail('document name not well-formed');
      const from = r.replicaId();
      const flagsAt = r.offset;
      const flags = r.byte();
      if (flags > (kind === KIND_SYNC ? 3 : 7)) r.fail('unknown flags', flagsAt);
      if (kind === KIND_SYNC) {
        const seen = flags & 1 ? readCounts(r) : undefined;
        return { kind: 'sync', doc, from, seen, ask: (flags & 2) !== 0 };
      }
      const to = flags & 2 ? r.replicaId() : undefined;
      const deps = flags & 1 ? readCounts(r) : undefined;
      const covers = flags & 4 ? readCounts(r) : undefined;
      const lengthAt = r.offset;
      const length = r.uint();
      if (length > limits.maxStateBytes) r.fail(`state of ${length} bytes past the limit of ${limits.maxStateBytes}`, lengthAt);
      const payload = r.raw(length);
      return { kind: 'state', doc, from, to, deps, covers, payload };
    },
    readerLimits,
  );
}
