// The small binary envelope between a WebSocketTransport and the relay. The relay
// parses only this envelope; the replica's message inside stays opaque to it.
//
//   F1            tag: relay frame, version 1 (no sync message starts with it)
//   kind          01 data, 02 ping, 03 pong (ping and pong end here)
//   flags         data only: bit 0 `from` present, bit 1 `to` present, others 0
//   [len id]      from: one length byte, 1..255 bytes of UTF-8, a valid replica id
//   [len id]      to: the same
//   payload...    the rest, at least one byte
import { DecodeError, replicaIdProblem, type ReplicaId } from '@convergent/core';

const TAG = 0xf1;
const DATA = 1;
const PING = 2;
const PONG = 3;
const FROM = 1;
const TO = 2;

/**
 * A decoded relay frame: the envelope between a {@link WebSocketTransport} and a
 * relay or server. Exported for servers that speak it (`@convergent/server`).
 *
 * @example
 * ```ts
 * import { decodeFrame, PING_FRAME, type RelayFrame } from '@convergent/sync';
 *
 * const frame: RelayFrame = decodeFrame(PING_FRAME);
 * frame.kind; // => 'ping'
 * ```
 */
export type RelayFrame =
  | {
      /** A replica's message. */
      readonly kind: 'data';
      /** The sending replica, when the frame names it (once per connection and id). */
      readonly from: ReplicaId | undefined;
      /** The one replica the message is for, or `undefined` for every peer. */
      readonly to: ReplicaId | undefined;
      /** The replica's message, opaque to the relay. */
      readonly payload: Uint8Array;
    }
  | {
      /** Liveness: a ping is answered with a pong. */
      readonly kind: 'ping' | 'pong';
    };

/**
 * The liveness frame a {@link WebSocketTransport} sends every `pingMs`.
 *
 * @example
 * ```ts
 * import { PING_FRAME } from '@convergent/sync';
 *
 * PING_FRAME.length; // => 2
 * ```
 */
export const PING_FRAME = Uint8Array.of(TAG, PING);
/**
 * The answer to {@link PING_FRAME}.
 *
 * @example
 * ```ts
 * import { decodeFrame, PONG_FRAME } from '@convergent/sync';
 *
 * decodeFrame(PONG_FRAME).kind; // => 'pong'
 * ```
 */
export const PONG_FRAME = Uint8Array.of(TAG, PONG);

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Wraps a message for the relay.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { decodeFrame, encodeDataFrame } from '@convergent/sync';
 *
 * const frame = decodeFrame(encodeDataFrame(new Uint8Array([7]), asReplicaId('phone')));
 * frame.kind === 'data' && frame.from; // => 'phone'
 * ```
 * @param payload - the replica's message
 * @param from - the sending replica, when the relay should learn where it is
 * @param to - the one replica the message is for
 * @returns the frame
 */
export function encodeDataFrame(payload: Uint8Array, from?: ReplicaId, to?: ReplicaId): Uint8Array {
  const ids = [from, to].map((id) => (id === undefined ? undefined : encoder.encode(id)));
  const head = 3 + ids.reduce((n, id) => n + (id === undefined ? 0 : 1 + id.length), 0);
  const frame = new Uint8Array(head + payload.length);
  frame.set([TAG, DATA, (from === undefined ? 0 : FROM) | (to === undefined ? 0 : TO)]);
  let at = 3;
  for (const id of ids) {
    if (id === undefined) continue;
    if (id.length > 255) throw new RangeError('replica id longer than 255 bytes');
    frame[at++] = id.length;
    frame.set(id, at);
    at += id.length;
  }
  frame.set(payload, at);
  return frame;
}

/**
 * Reads a relay frame, validating every field.
 *
 * @example
 * ```ts
 * import { DecodeError } from '@convergent/core';
 * import { decodeFrame } from '@convergent/sync';
 *
 * let caught: unknown;
 * try {
 *   decodeFrame(new Uint8Array([1, 2, 3]));
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof DecodeError; // => true
 * ```
 * @param frame - the bytes as received
 * @returns the frame; a data frame's payload is a view into `frame`
 * @throws DecodeError for anything but exactly one well-formed frame
 */
export function decodeFrame(frame: Uint8Array): RelayFrame {
  if (frame.length < 2 || frame[0] !== TAG) throw new DecodeError('not a relay frame (or another version)');
  const kind = frame[1];
  if (kind === PING || kind === PONG) {
    if (frame.length !== 2) throw new DecodeError('trailing bytes after ping or pong');
    return { kind: kind === PING ? 'ping' : 'pong' };
  }
  if (kind !== DATA || frame.length < 3) throw new DecodeError('unknown relay frame kind');
  const flags = frame[2]!;
  if (flags & ~(FROM | TO)) throw new DecodeError('unknown relay frame flags');
  let at = 3;
  const id = (present: boolean): ReplicaId | undefined => {
    if (!present) return undefined;
    const length = frame[at] ?? 0;
    if (length === 0 || at + 1 + length > frame.length) throw new DecodeError('bad replica id length in relay frame');
    let text: string;
    try {
      text = decoder.decode(frame.subarray(at + 1, at + 1 + length));
    } catch {
      throw new DecodeError('replica id in relay frame is not UTF-8');
    }
    const problem = replicaIdProblem(text);
    if (problem !== undefined) throw new DecodeError(`invalid replica id in relay frame: ${problem}`);
    at += 1 + length;
    return text as ReplicaId;
  };
  const from = id((flags & FROM) !== 0);
  const to = id((flags & TO) !== 0);
  if (at >= frame.length) throw new DecodeError('empty relay frame payload');
  return { kind: 'data', from, to, payload: frame.subarray(at) };
}
