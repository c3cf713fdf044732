import type { ChangeSet } from '@codemirror/state';
import type { ReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';

/**
 * The RGA edit a CodeMirror change set makes: one `RGA.edit` over all its changes, in
 * UTF-16 offsets (CodeMirror's own). `state`'s text must be the document the changes
 * apply to. Used by {@link convergent} for every local transaction; exported for
 * applications that build transactions themselves.
 *
 * @param state - the RGA state whose text is the change set's starting document
 * @param replica - the acting replica
 * @param changes - the changes (a transaction's `changes`)
 * @returns the new state and the one delta carrying every change
 * @throws RangeError when the changes do not fit the text (the document and the state disagree)
 *
 * @example
 * ```ts
 * import { ChangeSet } from '@codemirror/state';
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { editOf } from '@convergent/codemirror';
 *
 * const me = asReplicaId('me');
 * const doc = RGA.insertText(RGA.bottom, me, 0, 'hi 😀');
 * const changes = ChangeSet.of([{ from: 0, to: 2, insert: 'hello' }, { from: 3, to: 5 }], 5);
 * RGA.text(editOf(doc, me, changes).state); // => 'hello '
 * ```
 */
export function editOf(
  state: RGA.RGA,
  replica: ReplicaId,
  changes: ChangeSet,
): {
  /** The state with the changes made. */
  state: RGA.RGA;
  /** One delta carrying them all (for `Replica.apply`). */
  delta: RGA.RGA;
} {
  return RGA.edit(state, replica, (editor) => {
    // Changes come in document order, in the starting document's offsets; `shift` is what the ones already made moved the rest by.
    let shift = 0;
    changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
      const at = fromA + shift;
      if (toA > fromA) editor.deleteTextUtf16(at, toA - fromA);
      const text = inserted.sliceString(0, inserted.length, '\n');
      if (text.length > 0) editor.insertTextUtf16(at, text);
      shift += text.length - (toA - fromA);
    });
  });
}
