/**
 * Base class of every error Convergent throws on purpose, so callers can tell
 * "bad input" from a bug with one `instanceof` check.
 *
 * `instanceof` works across the ESM and CommonJS builds and across two copies of
 * `@convergent/core` in one app: each class brands its prototype with
 * `Symbol.for('convergent.error.<name>')`, and `instanceof` checks the brand, not the
 * class object. A subclass gets this by extending `ConvergentError`; its brand is its
 * class name, so keep error class names unique (and unminified, as `error.name` needs).
 *
 * @example
 * ```ts
 * import { ConvergentError, asReplicaId } from '@convergent/core';
 *
 * let caught: unknown;
 * try {
 *   asReplicaId('');
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof ConvergentError; // => true
 * ```
 */
export class ConvergentError extends Error {
  /** @param message - what went wrong, in words a user can act on */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    // Brand each prototype from the thrown class up to this one.
    for (let proto: object = new.target.prototype; proto !== Error.prototype; proto = Object.getPrototypeOf(proto))
      Reflect.set(proto, brand(proto.constructor), true);
  }

  /**
   * `value instanceof SomeError`: true when `value`'s prototype chain carries the brand
   * of `SomeError`, whichever build or copy of the package made either of them.
   *
   * @param value - anything
   * @returns whether `value` is an error of this class or a subclass
   *
   * @example
   * ```ts
   * import { ConvergentError, DecodeError } from '@convergent/core';
   *
   * const error = new DecodeError('truncated', { offset: 3 });
   * error instanceof DecodeError; // => true
   * error instanceof ConvergentError; // => true
   * new ConvergentError('other') instanceof DecodeError; // => false
   * ```
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    return (value as Record<symbol, unknown> | null | undefined)?.[brand(this)] === true || super[Symbol.hasInstance](value);
  }
}

/** The global (cross-realm, cross-copy) symbol that marks instances of `errorClass`. */
function brand(errorClass: { readonly name: string }): symbol {
  return Symbol.for(`convergent.error.${errorClass.name}`);
}

/**
 * Thrown by every decoder (binary or JSON) for input it does not accept:
 * truncated bytes, an unknown format version, a value out of range, a length past
 * its limit. The state the caller already holds is never touched.
 *
 * @example
 * ```ts
 * import { DecodeError, Reader } from '@convergent/core';
 *
 * const reader = new Reader(new Uint8Array([0x80])); // a varint that never ends
 * let caught: unknown;
 * try {
 *   reader.uint();
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof DecodeError; // => true
 * (caught as DecodeError).offset; // => 1
 * ```
 */
export class DecodeError extends ConvergentError {
  /** Byte offset (binary input) at which decoding failed, or -1 for JSON input. */
  readonly offset: number;
  /** Where in a JSON document decoding failed (`$.counts[2][0]`), or `''` for binary input. */
  readonly path: string;

  /**
   * @param message - what is wrong with the input
   * @param where - the byte offset or JSON path of the fault
   */
  constructor(message: string, { offset = -1, path = '' }: { offset?: number; path?: string } = {}) {
    super(`${message} at ${path || `byte ${offset}`}`);
    this.offset = offset;
    this.path = path;
  }
}

/**
 * Thrown when a string cannot serve as a {@link ReplicaId}: empty, too long,
 * holding control characters or lone surrogates, or a reserved property name.
 *
 * @example
 * ```ts
 * import { InvalidReplicaIdError, asReplicaId } from '@convergent/core';
 *
 * let caught: unknown;
 * try {
 *   asReplicaId('__proto__');
 * } catch (error) {
 *   caught = error;
 * }
 * caught instanceof InvalidReplicaIdError; // => true
 * ```
 */
export class InvalidReplicaIdError extends ConvergentError {}

/**
 * Thrown by a type's `validateMerge(state, delta)` when merging `delta` into `state`
 * would leave a state that no longer works: a counter whose value passes
 * `Number.MAX_SAFE_INTEGER`, a clock too close to it for the next local edit. The
 * delta must then be rejected before anything is merged; `state` is untouched.
 *
 * @example
 * ```ts
 * import { ConvergentError, MergeRejectedError } from '@convergent/core';
 *
 * const error = new MergeRejectedError('counter sum past 2^53 - 1');
 * error instanceof ConvergentError; // => true
 * error.name; // => 'MergeRejectedError'
 * ```
 */
export class MergeRejectedError extends ConvergentError {}
