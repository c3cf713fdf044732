import { DecodeError, decodeWith, readJson, type JsonObject, type ReplicaId, type Reader, Writer } from '@convergent/core';
import { DEFAULT_PRESENCE_LIMITS, fieldsJson, utf8Length, type Anchor, type PresenceLimits, type PresenceState } from './state.js';

/** First byte of every presence message: in the range sync leaves to companion protocols. */
const TAG = 0xe1;
/** Format version of {@link encodePresence}. */
const VERSION = 1;
const KINDS = ['state', 'leave'] as const;
const MAX_DOC_BYTES = 256;

/**
 * A replica's presence state, broadcast when it changes and as a keep-alive, or
 * addressed to one peer that asked (a peer that just joined).
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { decodePresence, encodePresence, type PresenceUpdate } from '@convergent/presence';
 *
 * const update: PresenceUpdate = {
 *   kind: 'state', doc: 'notes', from: asReplicaId('ada'), seq: 1, to: undefined, ask: true,
 *   state: { name: 'Ada', colour: '#3b82f6', selection: null, fields: {} },
 * };
 * decodePresence(encodePresence(update)).kind; // => 'state'
 * ```
 */
export interface PresenceUpdate {
  /** Message kind. */
  readonly kind: 'state';
  /** The document (as the sync replica's `doc`); peers ignore other documents' presence. */
  readonly doc: string;
  /** The replica whose presence this is. */
  readonly from: ReplicaId;
  /** The sender's message counter (1, 2, …): a receiver ignores any not above the last it took. */
  readonly seq: number;
  /** The one peer it answers, or `undefined` for every peer. */
  readonly to: ReplicaId | undefined;
  /** Whether the sender asks every receiver for its own state (it just joined or reconnected). */
  readonly ask: boolean;
  /** The state. */
  readonly state: PresenceState;
}

/**
 * "I am leaving": sent by {@link Presence.close}, so that peers drop the state at once
 * instead of waiting for it to expire.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { decodePresence, encodePresence, type PresenceLeave } from '@convergent/presence';
 *
 * const bye: PresenceLeave = { kind: 'leave', doc: 'notes', from: asReplicaId('ada'), seq: 9 };
 * decodePresence(encodePresence(bye)).kind; // => 'leave'
 * ```
 */
export interface PresenceLeave {
  /** Message kind. */
  readonly kind: 'leave';
  /** The document. */
  readonly doc: string;
  /** The replica leaving. */
  readonly from: ReplicaId;
  /** The sender's message counter. */
  readonly seq: number;
}

/**
 * Every message of the presence protocol.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { PresenceMessage } from '@convergent/presence';
 *
 * const message: PresenceMessage = { kind: 'leave', doc: '', from: asReplicaId('ada'), seq: 1 };
 * message.kind; // => 'leave'
 * ```
 */
export type PresenceMessage = PresenceUpdate | PresenceLeave;

/**
 * Thrown (and reported to `onError`) for a presence message of another format
 * version: the peer runs another `@convergent/presence`. A `DecodeError`.
 *
 * @example
 * ```ts
 * import { DecodeError } from '@convergent/core';
 * import { decodePresence, PresenceVersionError } from '@convergent/presence';
 *
 * let caught: unknown;
 * try {
 *   decodePresence(Uint8Array.of(0xe1, 7));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof PresenceVersionError; // => true
 * caught instanceof DecodeError; // => true
 * ```
 */
export class PresenceVersionError extends DecodeError {
  /** The version the peer sent. */
  readonly version: number;
  /** @param version - the version byte received */
  constructor(version: number) {
    super(`presence format version ${version}, expected ${VERSION}: the peer runs another version of @convergent/presence`, { offset: 1 });
    this.version = version;
  }
}

/**
 * Whether `bytes` is a presence message (by its first byte) rather than a sync
 * message or another companion protocol's: what a {@link Presence} listens to.
 *
 * @param bytes - a message as it arrived
 * @returns whether it is presence
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { encodePresence, isPresenceMessage } from '@convergent/presence';
 *
 * isPresenceMessage(encodePresence({ kind: 'leave', doc: '', from: asReplicaId('a'), seq: 1 })); // => true
 * isPresenceMessage(Uint8Array.of(2, 1)); // => false
 * ```
 */
export function isPresenceMessage(bytes: Uint8Array): boolean {
  return bytes[0] === TAG;
}

/** Most bytes a message can take under `limits`: checked before anything is parsed. */
export function maxMessageBytes(limits: PresenceLimits): number {
  // tag, version, kind, flags; doc, three ids, two counters, seq; name, colour, fields; varint prefixes.
  return 4 + MAX_DOC_BYTES + 3 * 256 + 3 * 8 + limits.maxNameBytes + 3 + limits.maxFieldsBytes + 8 * 10;
}

function writeAnchor(w: Writer, anchor: Anchor): void {
  if (anchor === null) w.byte(0);
  else w.byte(1).string(anchor.replica).uint(anchor.counter);
}

function readAnchor(r: Reader): Anchor {
  const at = r.offset;
  const present = r.byte();
  if (present === 0) return null;
  if (present !== 1) r.fail('bad anchor', at);
  const replica = r.replicaId();
  const counterAt = r.offset;
  const counter = r.uint();
  if (counter === 0) r.fail('anchor counter 0', counterAt);
  return { replica, counter };
}

/**
 * Binary form of a presence message (format version 1): the tag byte 0xE1 (in the
 * companion range that a sync `Replica` ignores), the version byte 1, a kind byte
 * (1 state, 2 leave), the document name and sender id (length-prefixed UTF-8) and
 * the sequence number (varint). A state then has a flags byte (bit 0 an addressee
 * follows, bit 1 `ask`, bit 2 a selection follows), the addressee, the name, the
 * colour as three bytes, the selection's anchor and head (0 for the start, or 1, a
 * replica id and a counter) and the fields as canonical JSON.
 *
 * @param message - the message (its state already validated by the {@link Presence})
 * @returns its bytes
 * @throws RangeError for a field that cannot be encoded (a document name past 256 bytes, a `seq` below 1)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { encodePresence } from '@convergent/presence';
 *
 * Array.from(encodePresence({ kind: 'leave', doc: 'd', from: asReplicaId('a'), seq: 3 })); // => [0xe1, 1, 2, 1, 100, 1, 97, 3]
 * ```
 */
export function encodePresence(message: PresenceMessage): Uint8Array {
  if (utf8Length(message.doc) > MAX_DOC_BYTES) throw new RangeError('document name too long');
  if (!(Number.isSafeInteger(message.seq) && message.seq >= 1)) throw new RangeError('seq must be a positive integer');
  const w = new Writer().byte(TAG).byte(VERSION).byte(KINDS.indexOf(message.kind) + 1);
  w.string(message.doc).string(message.from).uint(message.seq);
  if (message.kind === 'leave') return w.finish();
  const { to, ask, state } = message;
  w.byte((to !== undefined ? 1 : 0) | (ask ? 2 : 0) | (state.selection !== null ? 4 : 0));
  if (to !== undefined) w.string(to);
  w.string(state.name);
  const rgb = Number.parseInt(state.colour.slice(1), 16);
  w.byte(rgb >>> 16).byte((rgb >>> 8) & 255).byte(rgb & 255);
  if (state.selection !== null) {
    writeAnchor(w, state.selection.anchor);
    writeAnchor(w, state.selection.head);
  }
  w.string(fieldsJson(state.fields, { ...DEFAULT_PRESENCE_LIMITS, maxFieldsBytes: Infinity }));
  return w.finish();
}

/**
 * Decodes an untrusted presence message, bounding every field by `limits` (and the
 * whole message before anything is read).
 *
 * @param bytes - the bytes
 * @param limits - bounds on names and fields (default {@link DEFAULT_PRESENCE_LIMITS})
 * @returns the message
 * @throws PresenceVersionError for a presence message of another format version
 * @throws DecodeError for anything else {@link encodePresence} does not produce:
 * another tag, truncated or oversized input, an unknown kind or flag, an invalid
 * replica id, a name or fields past the limits, fields that are not a canonical JSON
 * object, trailing bytes
 *
 * @example
 * ```ts
 * import { DecodeError } from '@convergent/core';
 * import { decodePresence } from '@convergent/presence';
 *
 * decodePresence(Uint8Array.of(0xe1, 1, 2, 1, 100, 1, 97, 3)).from; // => 'a'
 * let caught: unknown;
 * try {
 *   decodePresence(Uint8Array.of(0xe1, 1, 9));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof DecodeError; // => true
 * ```
 */
export function decodePresence(bytes: Uint8Array, limits: PresenceLimits = DEFAULT_PRESENCE_LIMITS): PresenceMessage {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('not a Uint8Array', { offset: 0 });
  if (bytes.length > maxMessageBytes(limits)) throw new DecodeError(`presence message of ${bytes.length} bytes past the limit of ${maxMessageBytes(limits)}`, { offset: 0 });
  if (bytes[0] !== TAG) throw new DecodeError('not a presence message', { offset: 0 });
  if (bytes.length > 1 && bytes[1] !== VERSION) throw new PresenceVersionError(bytes[1]!);
  return decodeWith(bytes, (r: Reader): PresenceMessage => {
    r.byte();
    r.version(VERSION);
    const kindAt = r.offset;
    const kind = KINDS[r.byte() - 1] ?? r.fail('unknown presence message kind', kindAt);
    const doc = r.string(MAX_DOC_BYTES);
    if (!doc.isWellFormed()) r.fail('document name not well-formed');
    const from = r.replicaId();
    const seqAt = r.offset;
    const seq = r.uint();
    if (seq === 0) r.fail('seq 0', seqAt);
    if (kind === 'leave') return { kind, doc, from, seq };
    const flagsAt = r.offset;
    const flags = r.byte();
    if (flags > 7) r.fail('unknown flags', flagsAt);
    const to = flags & 1 ? r.replicaId() : undefined;
    const name = r.string(limits.maxNameBytes);
    if (!name.isWellFormed()) r.fail('name not well-formed');
    const colour = `#${[r.byte(), r.byte(), r.byte()].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    const selection = flags & 4 ? { anchor: readAnchor(r), head: readAnchor(r) } : null;
    const fieldsAt = r.offset;
    const fields = readJson(r, limits.maxFieldsBytes);
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) r.fail('presence fields must be a JSON object', fieldsAt);
    return { kind, doc, from, seq, to, ask: (flags & 2) !== 0, state: { name, colour, selection, fields: fields as JsonObject } };
  });
}
