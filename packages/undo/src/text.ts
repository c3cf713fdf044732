import type { ReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import type { UndoKind } from './manager.js';

/**
 * A selection in a text or list, as caret indexes: elements (code points for text), or
 * UTF-16 units with `text({ utf16: true })`. `anchor === head` is a caret.
 *
 * @example
 * ```ts
 * import type { TextSelection } from '@convergent/undo';
 *
 * const selected: TextSelection = { anchor: 2, head: 5 };
 * selected.head - selected.anchor; // => 3
 * ```
 */
export interface TextSelection {
  /** Where the selection starts (the end that stays put when it is extended). */
  readonly anchor: number;
  /** Where it ends (the end that moves). */
  readonly head: number;
}

/**
 * A selection anchored to elements: each end is the element just before it (`null`
 * at the start), so it stays on its characters while others edit.
 *
 * @example
 * ```ts
 * import type { AnchoredSelection } from '@convergent/undo';
 *
 * const atStart: AnchoredSelection = { anchor: null, head: null };
 * atStart.head; // => null
 * ```
 */
export interface AnchoredSelection {
  /** The element before the anchor. */
  readonly anchor: RGA.ElementId | null;
  /** The element before the head. */
  readonly head: RGA.ElementId | null;
}

/**
 * One undo step of a text or list: the elements this replica inserted, and those it
 * deleted with their values.
 *
 * @example
 * ```ts
 * import type { TextStep } from '@convergent/undo';
 *
 * const nothing: TextStep = { inserted: [], deleted: [] };
 * nothing.inserted.length; // => 0
 * ```
 */
export interface TextStep {
  /** Elements inserted in the step. */
  readonly inserted: readonly RGA.ElementId[];
  /** Elements deleted in the step (that existed before it), with their values. */
  readonly deleted: readonly RGA.ElementValue[];
}

const key = (id: RGA.ElementId): string => `${id.counter}@${id.replica}`;

/** Below this many remembered replacements, {@link text} does not prune. */
const PRUNE_FLOOR = 64;

/**
 * The kind {@link text} makes: an {@link UndoKind} that also says how many replaced
 * elements it remembers.
 *
 * @example
 * ```ts
 * import { text, type TextKind } from '@convergent/undo';
 *
 * const kind: TextKind = text();
 * kind.remembered; // => 0
 * ```
 */
export interface TextKind extends UndoKind<RGA.RGA, TextSelection, TextStep, AnchoredSelection> {
  /**
   * How many elements brought back by undo or redo it maps from the element they
   * replace. Bounded by the manager's step limit: entries that no kept step or
   * selection refers to are dropped (once they outnumber those kept, and at least 64).
   */
  readonly remembered: number;
}

/**
 * The undo kind of `@convergent/rga` text and lists. Undoing an insert deletes exactly
 * the elements this replica inserted in that step that still exist; undoing a delete
 * inserts the deleted values again, under new identities, where they were (after the
 * nearest surviving element before them; see `RGA.reinsert`). Text others inserted
 * meanwhile stays, unchanged and in order.
 *
 * Elements an undo or redo brings back are new elements: the kind remembers which
 * element each replaces, so a later undo or redo of an earlier step, and selections
 * anchored to the old elements, find the new ones. Other people's carets that were
 * inside text this replica deleted sat at the place of the deletion; when an undo
 * brings the text back they stay at its edges (a caret anchored after a deleted
 * element lands after the restored run), since their anchors are the old elements.
 *
 * That memory is bounded by the manager's step limit: once a replacement is referred
 * to by no kept step and no kept selection, it is dropped (see {@link TextKind}).
 *
 * Make one kind per {@link UndoManager}.
 *
 * @param options - `utf16: true` for selections in UTF-16 units, as editors and the
 *   DOM count (default: elements, i.e. code points)
 * @returns the kind, for `new UndoManager({ kind: text(), replica })`
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { text, UndoManager } from '@convergent/undo';
 *
 * const [me, you] = [asReplicaId('me'), asReplicaId('you')];
 * const undo = new UndoManager({ kind: text(), replica: me });
 * let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, you, 0, 'ac'));
 * const mine = RGA.insertText(doc, me, 1, 'b');
 * undo.capture(doc, mine);
 * doc = RGA.merge(doc, mine);
 * doc = RGA.merge(doc, RGA.insertText(doc, you, 3, '!')); // a remote edit
 * RGA.text(undo.undo(doc)!.state); // => 'ac!'
 * ```
 */
export function text(options: { readonly utf16?: boolean } = {}): TextKind {
  const utf16 = options.utf16 === true;
  /** Element replaced → its replacement, for elements undo or redo brought back. */
  let moved = new Map<string, RGA.ElementId>();
  /** `moved` is pruned when it outgrows this: twice what the last pruning kept, so pruning costs O(1) amortized per entry. */
  let budget = PRUNE_FLOOR;
  const follow = (id: RGA.ElementId): RGA.ElementId => {
    for (let next = moved.get(key(id)); next !== undefined; next = moved.get(key(id))) id = next;
    return id;
  };
  const before = (state: RGA.RGA, index: number): RGA.ElementId | null =>
    utf16 ? RGA.idBeforeUtf16(state, index) : index === 0 ? null : RGA.idAt(state, index - 1);
  const at = (state: RGA.RGA, id: RGA.ElementId | null): number => {
    const index = (utf16 ? RGA.caretAfterUtf16 : RGA.caretAfter)(state, id === null ? null : follow(id));
    return index < 0 ? 0 : index;
  };
  return {
    merge: RGA.merge,
    record: (state, delta) => RGA.effectOf(state, delta),
    join(first, then) {
      // Elements inserted and deleted within one step were never there before it.
      const fresh = new Set(first.inserted.map(key));
      const gone = new Set(then.deleted.map((e) => key(e.id)));
      return {
        inserted: [...first.inserted.filter((id) => !gone.has(key(id))), ...then.inserted],
        deleted: [...first.deleted, ...then.deleted.filter((e) => !fresh.has(key(e.id)))],
      };
    },
    isEmpty: (step) => step.inserted.length === 0 && step.deleted.length === 0,
    invert(state: RGA.RGA, replica: ReplicaId, step: TextStep): RGA.RGA {
      const removed = RGA.deleteIds(state, replica, step.inserted.map(follow));
      const after = RGA.merge(state, removed);
      const { delta, inserted } = RGA.reinsert(after, replica, step.deleted);
      inserted.forEach((id, i) => id && moved.set(key(step.deleted[i]!.id), id));
      return RGA.merge(removed, delta);
    },
    retain(steps, anchors) {
      if (moved.size <= budget) return;
      const kept = new Map<string, RGA.ElementId>();
      // Each id still referred to maps straight to its latest replacement: the chain between is dropped.
      const keep = (id: RGA.ElementId | null): void => {
        if (id !== null && moved.has(key(id))) kept.set(key(id), follow(id));
      };
      for (const step of steps) {
        step.inserted.forEach(keep);
        step.deleted.forEach((e) => keep(e.id));
      }
      for (const selection of anchors) {
        keep(selection.anchor);
        keep(selection.head);
      }
      moved = kept;
      budget = Math.max(PRUNE_FLOOR, 2 * kept.size);
    },
    get remembered() {
      return moved.size;
    },
    anchor: (state, selection) => ({ anchor: before(state, selection.anchor), head: before(state, selection.head) }),
    resolve: (state, anchored) => ({ anchor: at(state, anchored.anchor), head: at(state, anchored.head) }),
  };
}
