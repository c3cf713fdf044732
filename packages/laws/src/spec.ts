import { decodeVersioned, DecodeError, Writer, type Lattice, type ReplicaId } from '@convergent/core';
import * as fc from 'fast-check';

/**
 * Everything the law kit needs to know about a CRDT: its lattice, how to make a
 * random operation, its delta mutator, and its codecs.
 *
 * @typeParam S - the state type
 * @typeParam Op - a description of one operation (for example `{ amount: 3 }`)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import { maxRegisterSpec, type CrdtSpec } from '@convergent/laws';
 *
 * // See maxRegisterSpec's source for a complete, minimal spec to copy.
 * const spec: CrdtSpec<number, number> = maxRegisterSpec;
 * spec.mutate(2, 3, asReplicaId('a')); // => 5
 * ```
 */
export interface CrdtSpec<S, Op> {
  /** Name used in law titles. */
  readonly name: string;
  /** The type's lattice; a type module namespace usually qualifies as it is. */
  readonly lattice: Lattice<S>;
  /** Random operations. Make every operation applicable to any state (e.g. take indexes modulo the length). */
  readonly operation: fc.Arbitrary<Op>;
  /**
   * The delta mutator: the delta that `op`, performed by `replica` on `state`, produces.
   * @param state - the replica's current state
   * @param op - the operation
   * @param replica - the acting replica
   * @returns the delta, itself a state
   */
  mutate(state: S, op: Op, replica: ReplicaId): S;
  /**
   * Binary encoding.
   * @param state - a state
   * @returns its bytes
   */
  encode(state: S): Uint8Array;
  /**
   * Binary decoding; must throw only `DecodeError` on bad input.
   * @param bytes - untrusted bytes
   * @returns the state
   */
  decode(bytes: Uint8Array): S;
  /**
   * JSON encoding.
   * @param state - a state
   * @returns a JSON-compatible value
   */
  toJSON(state: S): unknown;
  /**
   * JSON decoding; must throw only `DecodeError` on bad input.
   * @param json - untrusted parsed JSON
   * @returns the state
   */
  fromJSON(json: unknown): S;
  /**
   * Optional: the replica ids whose events a delta creates (a type module's
   * `authors`), given the receiver's state or not. When given, the `authorship` law
   * checks that every delta a replica makes names no replica but itself, both
   * alone and against the state it was made from, so that an honest peer is never
   * refused on an authenticated link.
   * @param delta - a delta or state
   * @param state - the receiver's state, for types whose answer depends on it
   * @returns the authoring replica ids
   */
  authors?(delta: S, state?: S): Iterable<ReplicaId>;
  /**
   * Optional: the check a receiver runs before merging an untrusted delta (a type
   * module's `validateMerge`). When given, the `merge validation` law checks that it
   * accepts every reachable state and delta: it never refuses honest input.
   * @param state - the receiver's state
   * @param delta - the delta
   */
  validateMerge?(state: S, delta: S): void;
}

/**
 * The smallest CRDT there is, as a complete {@link CrdtSpec}: a register holding a
 * non-negative integer that only grows, merged by `max`. A template for your own
 * specs, and the subject of the kit's own tests.
 *
 * @example
 * ```ts
 * import { laws, maxRegisterSpec } from '@convergent/laws';
 *
 * for (const law of laws(maxRegisterSpec, { numRuns: 20 })) law.run();
 * maxRegisterSpec.lattice.merge(3, 5); // => 5
 * ```
 */
export const maxRegisterSpec: CrdtSpec<number, number> = {
  name: 'max register',
  lattice: {
    bottom: 0,
    merge: (a, b) => Math.max(a, b),
    leq: (a, b) => a <= b,
    equals: (a, b) => a === b,
  },
  operation: fc.nat(1000),
  mutate: (state, by) => state + by,
  encode: (state) => new Writer().byte(1).uint(state).finish(),
  decode: (bytes) => decodeVersioned(bytes, 1, (r) => r.uint()),
  toJSON: (state) => state,
  fromJSON: (json) => {
    if (typeof json !== 'number' || !Number.isSafeInteger(json) || json < 0)
      throw new DecodeError('expected a non-negative safe integer', { path: '$' });
    return json;
  },
};
