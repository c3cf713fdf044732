import { ConvergentError, DecodeError } from '@convergent/core';

/**
 * Reported (to a replica's `onError`) when a message arrives from another replica
 * using this replica's own id, as happens when two tabs share a stored id; thrown by
 * the {@link Replica} constructor when its `initial` state already holds events
 * created under its id (a restored state reused under its old id). Such updates would
 * be numbered alike and lost; give every replica, session and restore a fresh id
 * (`replicaId()` from core).
 *
 * @example
 * ```ts
 * import { asReplicaId, ConvergentError } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import { MemoryNetwork, Replica, ReplicaIdReuseError } from '@convergent/sync';
 *
 * const net = new MemoryNetwork();
 * const errors: unknown[] = [];
 * const tab1 = new Replica({ id: asReplicaId('same'), type: GCounter, gossipMs: 0, onError: (e) => errors.push(e) });
 * const tab2 = new Replica({ id: asReplicaId('same'), type: GCounter, gossipMs: 0 });
 * tab1.connect(net.transport('tab1'));
 * tab2.connect(net.transport('tab2'));
 * net.flush();
 * errors[0] instanceof ReplicaIdReuseError; // => true
 * errors[0] instanceof ConvergentError; // => true
 * ```
 */
export class ReplicaIdReuseError extends ConvergentError {}

/**
 * Reported (to a replica's `onError`) when a message breaks the trust rules: on an
 * authenticated link, a sender that is not trusted sent a message under another
 * replica's id, a delta creating events under ids that are not its own, or a vector
 * claim about other replicas; on any link, a message claiming events of the
 * receiving replica that it never created. The message is ignored; the state is
 * unchanged.
 *
 * @example
 * ```ts
 * import { asReplicaId, ConvergentError } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import { encodeMessage, Replica, UnauthorizedError } from '@convergent/sync';
 *
 * const errors: unknown[] = [];
 * const b = new Replica({ id: asReplicaId('b'), type: GCounter, gossipMs: 0, onError: (e) => errors.push(e) });
 * let deliver = (_bytes: Uint8Array) => {};
 * b.connect({ connected: false, send: () => {}, listen: (h) => {
 *   deliver = (bytes) => h.message(bytes, { replicas: new Set([asReplicaId('mallory')]), trusted: false });
 *   return () => {};
 * } });
 * // Mallory, authenticated as 'mallory', sends a counter entry under 'alice'.
 * const forged = GCounter.increment(GCounter.bottom, asReplicaId('alice'), 5);
 * deliver(encodeMessage({ kind: 'state', doc: '', from: asReplicaId('mallory'), to: undefined, ask: false, seq: undefined, deps: undefined, covers: undefined, payload: GCounter.encode(forged) }));
 * errors[0] instanceof UnauthorizedError; // => true
 * errors[0] instanceof ConvergentError; // => true
 * GCounter.value(b.state); // => 0
 * ```
 */
export class UnauthorizedError extends ConvergentError {}

/**
 * Thrown (and reported to `onError`) for a message of another sync format
 * version: the peer runs an older or newer `@convergent/sync`. It is a
 * `DecodeError`, so handlers of malformed input see it too.
 *
 * @example
 * ```ts
 * import { DecodeError } from '@convergent/core';
 * import { decodeMessage, ProtocolVersionError } from '@convergent/sync';
 *
 * let caught: unknown;
 * try {
 *   decodeMessage(new Uint8Array([1, 1, 0, 1, 97, 0])); // a version 1 message
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof ProtocolVersionError; // => true
 * (caught as ProtocolVersionError).version; // => 1
 * caught instanceof DecodeError; // => true
 * ```
 */
export class ProtocolVersionError extends DecodeError {
  /** The version the peer sent. */
  readonly version: number;
  /**
   * @param version - the version byte received
   * @param expected - the version this replica speaks
   */
  constructor(version: number, expected: number) {
    super(`sync format version ${version}, expected ${expected}: the peer runs another version of @convergent/sync`, { offset: 0 });
    this.version = version;
  }
}
