/**
 * Where a replica's state stands: `'restoring'` while a persisted replica is being
 * read back from storage, `'ready'` once its state is the replica's own, `'failed'`
 * when restoring it failed.
 *
 * @example
 * ```ts
 * import type { Status } from '@convergent/react';
 *
 * const status: Status = 'restoring';
 * status; // => 'restoring'
 * ```
 */
export type Status = 'restoring' | 'ready' | 'failed';

/**
 * What the hooks read: a current state and a way to hear that it changed. A
 * `Replica` of `@convergent/sync` is a source as it is (its `subscribe` listeners
 * get arguments a source's listener ignores); {@link restoring} makes one of a
 * replica still being restored from storage, such as `restore()` of
 * `@convergent/indexeddb` returns.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import type { Source } from '@convergent/react';
 * import { Replica } from '@convergent/sync';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const source: Source<typeof Cart.bottom> = new Replica({ id: asReplicaId('phone'), type: Cart, gossipMs: 0 });
 * Cart.size(source.state); // => 0
 * ```
 */
export interface Source<S> {
  /** The current state: the same object until it changes (states are immutable). */
  readonly state: S;
  /**
   * Calls `listener` after every change of `state` (or `status`).
   * @param listener - called with no arguments it needs
   * @returns a function that unsubscribes it
   */
  subscribe(listener: () => void): () => void;
  /** Where the state stands; a source without one is `'ready'`. */
  readonly status?: Status;
  /**
   * The state the server rendered, when it differs from `state`: the hooks' server
   * snapshot, for server rendering and hydration. Default `state`.
   */
  readonly serverState?: S;
}

/**
 * A {@link Source} standing for a replica that is being restored: made by
 * {@link restoring}. Until the replica is there it shows `initial` with status
 * `'restoring'`; then the replica's state, with status `'ready'`; if restoring
 * failed, still `initial`, with status `'failed'` and the `error`.
 *
 * @typeParam S - the state type
 * @typeParam R - what the restore resolves to
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import { restoring, type Restoring, type Source } from '@convergent/react';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const never = new Promise<Source<typeof Cart.bottom>>(() => {});
 * const doc: Restoring<typeof Cart.bottom, Source<typeof Cart.bottom>> = restoring(never, Cart.bottom);
 * doc.status; // => 'restoring'
 * ```
 */
export interface Restoring<S, R> extends Source<S> {
  /** `'restoring'`, then `'ready'` or `'failed'`. */
  readonly status: Status;
  /** What the restore resolved to (e.g. `{ replica, persistence, errors }`), once `'ready'`. */
  readonly result: R | undefined;
  /** Why restoring failed, once `'failed'`. */
  readonly error: unknown;
  /** The state shown until the replica is there, and the server snapshot. */
  readonly serverState: S;
}

/**
 * What a restore may resolve to instead of a source: an object holding the
 * restored replica, as `restore()` of `@convergent/indexeddb` resolves to
 * `{ replica, persistence, errors }`.
 *
 * @typeParam S - the state type
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import type { HoldsReplica } from '@convergent/react';
 * import { Replica } from '@convergent/sync';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const restored: HoldsReplica<typeof Cart.bottom> = { replica: new Replica({ id: asReplicaId('tab'), type: Cart, gossipMs: 0 }) };
 * Cart.size(restored.replica.state); // => 0
 * ```
 */
export interface HoldsReplica<S> {
  /** The restored replica. */
  readonly replica: Source<S>;
}

/**
 * Makes a {@link Source} of a replica that is still being restored, so that
 * components render at once (with `initial`, status `'restoring'`) and re-render
 * with the replica's state when it is there. `pending` resolves to a source (a
 * `Replica`) or to an object holding one as `replica`, as `restore()` of
 * `@convergent/indexeddb` does.
 *
 * @typeParam S - the state type
 * @typeParam R - what `pending` resolves to
 * @param pending - the restore in progress
 * @param initial - the state to show until then: the type's `bottom`, or the state
 * the server rendered (it is also the server snapshot, so hydration matches)
 * @returns the source
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import { restoring } from '@convergent/react';
 * import { Replica } from '@convergent/sync';
 *
 * const Cart = ORMap.of(ORMap.counter);
 * const load = async () => ({ replica: new Replica({ id: asReplicaId('tab'), type: Cart, gossipMs: 0 }) });
 * const doc = restoring(load(), Cart.bottom);
 * doc.status; // => 'restoring'
 * await Promise.resolve().then(() => {});
 * doc.status; // => 'ready'
 * ```
 */
export function restoring<S, R extends Source<S> | HoldsReplica<S>>(pending: Promise<R>, initial: S): Restoring<S, R> {
  const listeners = new Set<() => void>();
  let source: Source<S> | undefined;
  let detach: (() => void) | undefined;
  const emit = () => {
    for (const listener of [...listeners]) listener();
  };
  // The replica is listened to only while someone listens here.
  const attach = () => {
    if (source && !detach && listeners.size > 0) detach = source.subscribe(emit);
  };
  const out = {
    status: 'restoring' as Status,
    result: undefined as R | undefined,
    error: undefined as unknown,
    serverState: initial,
    get state(): S {
      return source ? source.state : initial;
    },
    subscribe(listener: () => void): () => void {
      const own = () => listener();
      listeners.add(own);
      attach();
      return () => {
        listeners.delete(own);
        if (listeners.size === 0 && detach) {
          detach();
          detach = undefined;
        }
      };
    },
  };
  pending.then(
    (result) => {
      source = 'replica' in result ? result.replica : result;
      out.result = result;
      out.status = 'ready';
      attach();
      emit();
    },
    (error: unknown) => {
      out.error = error;
      out.status = 'failed';
      emit();
    },
  );
  return out;
}
