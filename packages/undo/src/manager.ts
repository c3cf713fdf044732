import { asReplicaId, type ReplicaId } from '@convergent/core';

/**
 * What an {@link UndoManager} needs to know about one Convergent type: how to record
 * what a local delta did, how to group two records into one step, and how to make the
 * delta that reverses a step in whatever the state has become. {@link text} (RGA text
 * and lists) and {@link fields} (maps, structs, registers) are the kinds this package
 * ships; write your own for another type.
 *
 * @typeParam S - the type's state
 * @typeParam Sel - a selection as the application gives it (for text, caret indexes)
 * @typeParam Step - what one undo step records
 * @typeParam A - a selection anchored to the state, so that it survives edits
 *
 * @example
 * ```ts
 * import * as RGA from '@convergent/rga';
 * import { text, type UndoKind } from '@convergent/undo';
 *
 * const kind: UndoKind<RGA.RGA, { anchor: number; head: number }, unknown, unknown> = text();
 * kind.isEmpty(kind.record(RGA.bottom, RGA.bottom)); // => true
 * ```
 */
export interface UndoKind<S, Sel, Step, A> {
  /**
   * The type's merge.
   * @param a - a state
   * @param b - another state
   * @returns their join
   */
  merge(a: S, b: S): S;
  /**
   * What a local delta did.
   * @param before - the state the delta was made from
   * @param delta - the delta
   * @returns the step that records it
   */
  record(before: S, delta: S): Step;
  /**
   * Two steps as one.
   * @param first - the earlier step
   * @param then - the later step
   * @returns one step doing both
   */
  join(first: Step, then: Step): Step;
  /**
   * Whether a step changes nothing.
   * @param step - a step
   * @returns `true` when there is nothing to undo
   */
  isEmpty(step: Step): boolean;
  /**
   * The delta that reverses `step` in `state`, leaving what others did alone.
   * @param state - the current state
   * @param replica - this replica
   * @param step - the step to reverse
   * @returns the delta
   */
  invert(state: S, replica: ReplicaId, step: Step): S;
  /**
   * Anchors a selection to the state's elements (optional: selections are kept as given).
   * @param state - the state the selection refers to
   * @param selection - the selection
   * @returns the anchored selection
   */
  anchor?(state: S, selection: Sel): A;
  /**
   * Where an anchored selection is now.
   * @param state - the current state
   * @param anchored - a selection from `anchor`
   * @returns the selection in `state`
   */
  resolve?(state: S, anchored: A): Sel;
  /**
   * Called when the manager drops steps (past its limit, on a new change after undo, or
   * on `clear`): a kind that remembers things about steps (as {@link text} remembers
   * which element replaced which) may forget what no remaining step or selection
   * refers to. The arguments are lazy: iterate them only to prune.
   * @param steps - the steps still kept
   * @param anchors - the anchored selections still kept
   */
  retain?(steps: Iterable<Step>, anchors: Iterable<A>): void;
}

/**
 * Options of an {@link UndoManager}.
 *
 * @typeParam S - the type's state
 * @typeParam Sel - a selection
 * @typeParam Step - a step
 * @typeParam A - an anchored selection
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { text, type TextSelection, type UndoOptions } from '@convergent/undo';
 *
 * const options: UndoOptions<RGA.RGA, TextSelection, unknown, unknown> = { kind: text(), replica: asReplicaId('me'), captureMs: 300 };
 * options.captureMs; // => 300
 * ```
 */
export interface UndoOptions<S, Sel, Step, A> {
  /** The type: {@link text}, {@link fields}, or your own {@link UndoKind}. */
  readonly kind: UndoKind<S, Sel, Step, A>;
  /** This replica's id: undo deltas are made by it. */
  readonly replica: ReplicaId;
  /** Changes captured less than this many milliseconds apart form one step (default 500; 0 makes every change a step). */
  readonly captureMs?: number;
  /** At most this many steps are kept (default 1,000; the oldest go first). */
  readonly limit?: number;
  /** The clock, in milliseconds (default `Date.now`); tests pass their own. */
  readonly now?: () => number;
}

/**
 * What {@link UndoManager.undo} and {@link UndoManager.redo} return: the delta to
 * merge into the state and send like any other, and the selection to show.
 *
 * @typeParam S - the type's state
 * @typeParam Sel - a selection
 *
 * @example
 * ```ts
 * import * as RGA from '@convergent/rga';
 * import type { TextSelection, UndoResult } from '@convergent/undo';
 *
 * const result: UndoResult<RGA.RGA, TextSelection> = { delta: RGA.bottom, state: RGA.bottom, selection: { anchor: 0, head: 0 } };
 * result.selection?.head; // => 0
 * ```
 */
export interface UndoResult<S, Sel> {
  /** The delta that reverses the step: merge it and send it. */
  readonly delta: S;
  /** The state with the delta merged. */
  readonly state: S;
  /** The selection the step was captured with (before it for undo, after it for redo), where it is now. */
  readonly selection: Sel | undefined;
}

interface Entry<Step, A> {
  step: Step;
  /** The selection to show once this entry is reversed, and once its reversal is. */
  restore: A | undefined;
  then: A | undefined;
}

/**
 * An undo manager for one replica: it records this replica's own changes (the deltas
 * the application or a binding hands to {@link UndoManager.capture}), groups changes
 * made close together into one step, and turns a step back into a **new** delta that
 * reverses it in the current state — merged and sent like any other delta, so history
 * is never rewritten and every replica converges. Remote changes are never captured,
 * and an undo leaves them in place. Redo works after undo until a new change is
 * captured.
 *
 * @typeParam S - the type's state
 * @typeParam Sel - a selection
 * @typeParam Step - a step of the kind
 * @typeParam A - an anchored selection of the kind
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { text, UndoManager } from '@convergent/undo';
 *
 * const me = asReplicaId('me');
 * const undo = new UndoManager({ kind: text(), replica: me });
 * let doc = RGA.bottom;
 * const typed = RGA.insertText(doc, me, 0, 'hello');
 * undo.capture(doc, typed, { before: { anchor: 0, head: 0 }, after: { anchor: 5, head: 5 } });
 * doc = RGA.merge(doc, typed);
 * const back = undo.undo(doc)!;
 * doc = back.state; // and send back.delta to the other replicas
 * [RGA.text(doc), back.selection]; // => ['', { anchor: 0, head: 0 }]
 * RGA.text(undo.redo(doc)!.state); // => 'hello'
 * ```
 */
export class UndoManager<S, Sel = unknown, Step = unknown, A = unknown> {
  private readonly kind: UndoKind<S, Sel, Step, A>;
  private readonly replica: ReplicaId;
  private readonly captureMs: number;
  private readonly limit: number;
  private readonly now: () => number;
  private readonly undos: Array<Entry<Step, A>> = [];
  private readonly redos: Array<Entry<Step, A>> = [];
  /** When the last change was captured; -Infinity when the next one starts a step. */
  private last = -Infinity;

  /**
   * @param options - the kind, this replica's id, and the grouping interval
   * @throws `InvalidReplicaIdError` for a bad replica id; RangeError for a negative interval or limit
   */
  constructor(options: UndoOptions<S, Sel, Step, A>) {
    this.kind = options.kind;
    this.replica = asReplicaId(options.replica);
    this.captureMs = options.captureMs ?? 500;
    this.limit = options.limit ?? 1000;
    this.now = options.now ?? Date.now;
    if (!(this.captureMs >= 0)) throw new RangeError('captureMs must be 0 or more');
    if (!Number.isSafeInteger(this.limit) || this.limit < 1) throw new RangeError('limit must be a positive integer');
  }

  /**
   * Records a local change: call it with every delta this replica makes (a binding does),
   * before or after merging it. A change made within `captureMs` of the previous one
   * joins its step. Clears the redo stack.
   * @param before - the state the delta was made from
   * @param delta - the delta
   * @param selection - the selection before the change (restored by undo) and after it (restored by redo)
   */
  capture(before: S, delta: S, selection: { readonly before?: Sel; readonly after?: Sel } = {}): void {
    const step = this.kind.record(before, delta);
    if (this.kind.isEmpty(step)) return;
    const anchor = this.kind.anchor?.bind(this.kind);
    const restore = selection.before === undefined || !anchor ? (selection.before as A | undefined) : anchor(before, selection.before);
    const then =
      selection.after === undefined || !anchor ? (selection.after as A | undefined) : anchor(this.kind.merge(before, delta), selection.after);
    this.redos.length = 0;
    const time = this.now();
    const top = this.undos[this.undos.length - 1];
    if (top !== undefined && time - this.last < this.captureMs) {
      top.step = this.kind.join(top.step, step);
      top.then = then;
    } else {
      this.undos.push({ step, restore, then });
      if (this.undos.length > this.limit) this.undos.shift();
    }
    this.last = time;
    this.retain();
  }

  /** Ends the current step: the next change captured starts a new one, however soon. */
  stopCapturing(): void {
    this.last = -Infinity;
  }

  /** Whether there is a step to undo. */
  get canUndo(): boolean {
    return this.undos.length > 0;
  }

  /** Whether there is a step to redo. */
  get canRedo(): boolean {
    return this.redos.length > 0;
  }

  /**
   * Reverses the last step that still changes something (steps whose every change
   * others have since undone or overwritten are dropped on the way).
   * @param state - the current state
   * @returns the delta to merge and send, the merged state, and the selection to show; `undefined` when there is nothing to undo
   */
  undo(state: S): UndoResult<S, Sel> | undefined {
    return this.reverse(state, this.undos, this.redos);
  }

  /**
   * Reverses the last undo, if no change was captured since.
   * @param state - the current state
   * @returns as {@link UndoManager.undo}; `undefined` when there is nothing to redo
   */
  redo(state: S): UndoResult<S, Sel> | undefined {
    return this.reverse(state, this.redos, this.undos);
  }

  /** Forgets every step. */
  clear(): void {
    this.undos.length = 0;
    this.redos.length = 0;
    this.last = -Infinity;
    this.retain();
  }

  /** Lets the kind forget what only dropped steps referred to. */
  private retain(): void {
    const entries = (): Array<Entry<Step, A>> => [...this.undos, ...this.redos];
    this.kind.retain?.(
      (function* () {
        for (const entry of entries()) yield entry.step;
      })(),
      (function* () {
        for (const entry of entries()) {
          if (entry.restore !== undefined) yield entry.restore;
          if (entry.then !== undefined) yield entry.then;
        }
      })(),
    );
  }

  private reverse(state: S, from: Array<Entry<Step, A>>, to: Array<Entry<Step, A>>): UndoResult<S, Sel> | undefined {
    this.last = -Infinity;
    for (let entry = from.pop(); entry !== undefined; entry = from.pop()) {
      const delta = this.kind.invert(state, this.replica, entry.step);
      // The reversal is itself a step: reversing it is the redo (or the undo again).
      const step = this.kind.record(state, delta);
      if (this.kind.isEmpty(step)) continue;
      const after = this.kind.merge(state, delta);
      to.push({ step, restore: entry.then, then: entry.restore });
      this.retain();
      const resolve = this.kind.resolve?.bind(this.kind);
      const selection = entry.restore === undefined || !resolve ? (entry.restore as Sel | undefined) : resolve(after, entry.restore);
      return { delta, state: after, selection };
    }
    return undefined;
  }
}
