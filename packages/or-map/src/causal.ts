import { DecodeError, decodeWith, jsonObject, Writer, type DecodeLimits, type Lattice, type ReplicaId } from '@convergent/core';
import { DotContext, validateContext, type DotContextJSON } from '@convergent/version-vector';
import { replicasOf, type Embeddable, type HasContext } from './embeddable.js';

/**
 * The JSON form of a causal state: its context and its store, as the kind's
 * `toJSON` writes it.
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const json: ORMap.CausalJSON = { context: { vector: [['a', 1]], cloud: [] }, entries: [['milk', [['a', 1, 3]]]] };
 * ORMap.of(ORMap.counter).snapshot(ORMap.of(ORMap.counter).fromJSON(json)); // => { milk: 3 }
 * ```
 */
export interface CausalJSON {
  /** Every dot seen, as `DotContext.toJSON` writes it. */
  context: DotContextJSON;
  /** The store. */
  entries: unknown;
}

/**
 * The lattice and codecs of an embeddable kind's states, on their own: what a
 * map type, a struct type or a stand-alone causal counter has in common.
 *
 * @typeParam T - the state type
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 *
 * const Counter: ORMap.CausalType<ORMap.CausalCounter> = ORMap.causal(ORMap.counter);
 * ORMap.count(Counter.bottom); // => 0
 * ```
 */
export interface CausalType<T> extends Lattice<T> {
  /**
   * Binary encoding: a format-version byte (1), the context, then the store.
   * @param state - a state
   * @returns its bytes
   */
  encode(state: T): Uint8Array;
  /**
   * Decodes untrusted bytes made by `encode`: canonical form only, every live dot
   * in the context and in one place only.
   * @param bytes - the bytes
   * @param limits - hard limits on counts and lengths
   * @returns the state
   * @throws DecodeError on anything else
   */
  decode(bytes: Uint8Array, limits?: DecodeLimits): T;
  /**
   * The JSON form ({@link CausalJSON}).
   * @param state - a state
   * @returns a JSON-compatible value
   */
  toJSON(state: T): CausalJSON;
  /**
   * Reads untrusted parsed JSON made by `toJSON`, with the same checks as `decode`.
   * @param json - the parsed JSON
   * @returns the state
   * @throws DecodeError on anything else, with a JSON path
   */
  fromJSON(json: unknown): T;
  /**
   * The replicas whose events `delta` carries: the replicas of the dots of its
   * values, and the inserters of the RGA elements of embedded text, at any depth.
   * The shared causal context is left out: it records what the sender observed (a
   * remove names other replicas' dots), not what it made.
   * @param delta - a delta or state
   * @returns the authoring replica ids, as a new set
   */
  authors(delta: T): ReadonlySet<ReplicaId>;
  /**
   * Throws unless every replica can still make events after merging `delta` into
   * `state`: no dot counter of `delta`'s context (which holds every dot of its
   * values) may come within 1 of `Number.MAX_SAFE_INTEGER` (`validateContext` of
   * `@convergent/version-vector`), and at any depth neither may a list's position
   * stamps nor embedded text's element counters (`validateMerge` of
   * `@convergent/rga`). Only `delta` is read.
   * @param state - the receiver's state
   * @param delta - the untrusted delta
   * @throws MergeRejectedError (from `@convergent/core`) otherwise; `state` is untouched
   */
  validateMerge(state: T, delta: T): void;
}

const VERSION = 1;

/**
 * Makes the lattice and codecs of an embeddable kind's states: a store plus its
 * own causal context. `ORMap.causal(ORMap.counter)` is a stand-alone causal
 * counter; map and struct types are built on it.
 *
 * @typeParam T - the kind's state
 * @typeParam S - its store
 * @typeParam V - its snapshot
 * @param kind - the kind
 * @returns the type
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 *
 * const Counter = ORMap.causal(ORMap.counter);
 * const a = asReplicaId('a');
 * const c = Counter.merge(Counter.bottom, ORMap.increment(Counter.bottom, a, 2));
 * ORMap.count(Counter.decode(Counter.encode(c))); // => 2
 * ```
 */
export function causal<T extends HasContext, S, V>(kind: Embeddable<T, S, V>): CausalType<T> {
  const bottom = kind.view(kind.empty, DotContext.bottom);
  /** Every live dot in the context, and none in two places: the invariant decoders check. */
  const checked = (store: S, context: DotContext, fail: (message: string) => never): T => {
    const seen = new Set<string>();
    for (const [replica, counter] of kind.dots(store)) {
      if (!DotContext.has(context, { replica, counter })) fail('live dot missing from the context');
      const id = `${counter} ${replica}`;
      if (seen.has(id)) fail('dot shared by two places');
      seen.add(id);
    }
    return kind.view(store, context);
  };
  const merge = (a: T, b: T): T =>
    a === b ? a : kind.view(kind.join(kind.storeOf(a), a.context, kind.storeOf(b), b.context), DotContext.merge(a.context, b.context));
  const equals = (a: T, b: T): boolean => DotContext.equals(a.context, b.context) && kind.equals(kind.storeOf(a), kind.storeOf(b));
  return Object.freeze({
    bottom,
    merge,
    equals,
    leq: (a: T, b: T) => DotContext.leq(a.context, b.context) && equals(merge(a, b), b),
    encode(state: T): Uint8Array {
      const writer = new Writer().byte(VERSION);
      DotContext.write(writer, state.context);
      kind.write(writer, kind.storeOf(state), new Map(replicasOf(state.context).map((r, i) => [r, i])));
      return writer.finish();
    },
    decode: (bytes: Uint8Array, limits?: DecodeLimits): T =>
      decodeWith(
        bytes,
        (reader) => {
          reader.version(VERSION);
          const context = DotContext.read(reader);
          const at = reader.offset;
          return checked(kind.read(reader, replicasOf(context)), context, (message) => reader.fail(message, at));
        },
        limits,
      ),
    authors(delta: T): ReadonlySet<ReplicaId> {
      const out = new Set<ReplicaId>();
      for (const [replica] of kind.dots(kind.storeOf(delta))) out.add(replica);
      kind.authors?.(kind.storeOf(delta), out);
      return out;
    },
    validateMerge(state: T, delta: T): void {
      void state;
      validateContext(delta.context);
      kind.validate?.(kind.storeOf(delta));
    },
    toJSON: (state: T): CausalJSON => ({ context: DotContext.toJSON(state.context), entries: kind.toJSON(kind.storeOf(state)) }),
    fromJSON(json: unknown): T {
      const fields = jsonObject(json, ['context', 'entries'], '$');
      const context = DotContext.fromJSON(fields.context, '$.context');
      const store = kind.fromJSON(fields.entries, '$.entries');
      return checked(store, context, (message) => {
        throw new DecodeError(message, { path: '$.entries' });
      });
    },
  });
}
