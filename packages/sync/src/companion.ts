/**
 * Whether a message belongs to a companion protocol that shares a {@link Transport}
 * with sync (presence, `@convergent/presence`): its first byte is in 0xE0..0xEF, a
 * range no sync message format version will take. A {@link Replica} ignores such
 * messages without counting them as received or rejected, and the relay forwards
 * them like any other message, so one link carries both protocols.
 *
 * @param bytes - a message as it arrived
 * @returns whether sync should leave it to another protocol
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { encodeMessage, isCompanionMessage } from '@convergent/sync';
 *
 * isCompanionMessage(Uint8Array.of(0xe1, 1)); // => true
 * isCompanionMessage(encodeMessage({ kind: 'sync', doc: '', from: asReplicaId('a'), to: undefined, seen: undefined, digest: undefined, ask: false, nonce: undefined })); // => false
 * ```
 */
export function isCompanionMessage(bytes: Uint8Array): boolean {
  const first = bytes[0];
  return first !== undefined && first >= 0xe0 && first <= 0xef;
}
