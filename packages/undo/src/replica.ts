import type { UndoManager, UndoResult } from './manager.js';

/**
 * What {@link track} needs of a replica: a `@convergent/sync` `Replica` has it all.
 *
 * @typeParam S - the type's state
 *
 * @example
 * ```ts
 * import * as RGA from '@convergent/rga';
 * import type { UndoableReplica } from '@convergent/undo';
 *
 * const local: UndoableReplica<RGA.RGA> = { state: RGA.bottom, subscribe: () => () => {}, apply: () => {} };
 * RGA.length(local.state); // => 0
 * ```
 */
export interface UndoableReplica<S> {
  /** The current state. */
  readonly state: S;
  /**
   * Calls `listener` after every change.
   * @param listener - given the new state and the change (its delta, and whether it was made here)
   * @returns a function that unsubscribes it
   */
  subscribe(listener: (state: S, change: { readonly delta: S; readonly origin: 'local' | 'remote' }) => void): () => void;
  /**
   * Merges a local delta and sends it.
   * @param delta - the delta
   */
  apply(delta: S): void;
}

/**
 * Undo and redo for a replica, driven by its change events: {@link track}'s result.
 *
 * @typeParam S - the type's state
 * @typeParam Sel - a selection
 *
 * @example
 * ```ts
 * import type { Tracking } from '@convergent/undo';
 *
 * const none: Pick<Tracking<unknown, unknown>, 'stop'> = { stop: () => {} };
 * none.stop(); // => undefined
 * ```
 */
export interface Tracking<S, Sel> {
  /**
   * Undoes the last local step: applies the undo delta to the replica (which sends it).
   * @returns what was applied and the selection to show; `undefined` when there was nothing to undo
   */
  undo(): UndoResult<S, Sel> | undefined;
  /**
   * Redoes the last undo.
   * @returns as `undo`
   */
  redo(): UndoResult<S, Sel> | undefined;
  /** Stops capturing the replica's changes. */
  stop(): void;
}

/**
 * Captures every local change of a replica into an undo manager (remote changes are
 * left out by their origin), and applies undo and redo deltas to it. For a type where
 * selections do not matter (maps, structs, registers) this is all the wiring there is.
 * It records no selection: a change event comes after the edit, when the selection
 * has already moved, and undo needs the selection from just before it. So an editor
 * binding, which turns input into deltas and knows the selection on both sides, calls
 * {@link UndoManager.capture} itself instead (`@convergent/textarea` and
 * `@convergent/codemirror` do).
 *
 * @typeParam S - the type's state
 * @typeParam Sel - a selection
 * @typeParam Step - a step of the manager's kind
 * @typeParam A - an anchored selection of the kind
 * @param replica - the replica (a `@convergent/sync` `Replica`)
 * @param manager - the undo manager, made for the replica's id
 * @returns undo, redo and stop
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as MVRegister from '@convergent/mv-register';
 * import * as ORMap from '@convergent/or-map';
 * import { Replica } from '@convergent/sync';
 * import { fields, mapOfRegisters, track, UndoManager } from '@convergent/undo';
 *
 * const Settings = ORMap.of(ORMap.register);
 * const me = asReplicaId('me');
 * const replica = new Replica({ id: me, type: Settings, gossipMs: 0 });
 * const history = track(replica, new UndoManager({ kind: fields(mapOfRegisters(Settings)), replica: me }));
 * replica.update((s, id) => Settings.update(s, id, 'theme', (v, r) => MVRegister.set(v, r, 'dark')));
 * history.undo();
 * Settings.snapshot(replica.state); // => {}
 * ```
 */
export function track<S, Sel, Step, A>(replica: UndoableReplica<S>, manager: UndoManager<S, Sel, Step, A>): Tracking<S, Sel> {
  let last = replica.state;
  let applying = false;
  const stop = replica.subscribe((state, change) => {
    // The manager's own deltas are recorded by the manager, not captured as new steps.
    if (change.origin === 'local' && !applying) manager.capture(last, change.delta);
    last = state;
  });
  const apply = (result: UndoResult<S, Sel> | undefined): UndoResult<S, Sel> | undefined => {
    if (result === undefined) return undefined;
    applying = true;
    try {
      replica.apply(result.delta);
    } finally {
      applying = false;
    }
    return result;
  };
  return {
    undo: () => apply(manager.undo(replica.state)),
    redo: () => apply(manager.redo(replica.state)),
    stop,
  };
}
