import { Annotation, EditorSelection, EditorState, Prec, StateEffect, Transaction, type Extension } from '@codemirror/state';
import { keymap, logException, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import { selectionAt, type Presence } from '@convergent/presence';
import * as RGA from '@convergent/rga';
import type { Replica } from '@convergent/sync';
import type { AnchoredSelection, TextSelection, TextStep, UndoManager } from '@convergent/undo';
import { caretDecorations, caretTheme } from './carets.js';
import { editOf } from './changes.js';

/**
 * What to bind an editor to.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { Replica } from '@convergent/sync';
 * import type { ConvergentOptions } from '@convergent/codemirror';
 *
 * const options: ConvergentOptions = { replica: new Replica({ id: asReplicaId('me'), type: RGA, gossipMs: 0 }) };
 * options.presence; // => undefined
 * ```
 */
export interface ConvergentOptions {
  /** The replica of the text (an RGA of characters). */
  readonly replica: Replica<RGA.RGA>;
  /** Presence of the same document: publishes this editor's selection and shows the peers' carets (optional). */
  readonly presence?: Presence;
  /**
   * An undo manager of `@convergent/undo` for this replica, made with
   * `text({ utf16: true })` (optional): each local transaction is recorded in it with
   * the selection before and after, and Mod-z, Mod-Shift-z and Mod-y undo and redo only
   * this replica's own edits, as deltas sent like any other. Leave CodeMirror's own
   * `history()` out of the editor then.
   */
  readonly undo?: UndoManager<RGA.RGA, TextSelection, TextStep, AnchoredSelection>;
}

/**
 * Marks the transactions by which {@link convergent} applies changes that did not come
 * from this editor (peers, other bindings of the replica); they are not sent back, and
 * not added to the undo history.
 *
 * @example
 * ```ts
 * import { EditorState } from '@codemirror/state';
 * import { remoteChange } from '@convergent/codemirror';
 *
 * const tr = EditorState.create({ doc: 'a' }).update({ changes: { from: 1, insert: 'b' }, annotations: remoteChange.of(true) });
 * tr.annotation(remoteChange); // => true
 * ```
 */
export const remoteChange = Annotation.define<boolean>();

/** Tells the plugin the peers' presence changed. */
const peersChanged = StateEffect.define<null>();

class Binding {
  /** The replica state whose text the editor shows. */
  private shown: RGA.RGA;
  /** While this binding applies its own delta: the replica's change event is not news to it. */
  private applying = false;
  private readonly stop: Array<() => void> = [];
  private destroyed = false;
  decorations: DecorationSet;

  constructor(
    private readonly view: EditorView,
    private readonly replica: Replica<RGA.RGA>,
    private readonly presence: Presence | undefined,
    private readonly undo: ConvergentOptions['undo'],
  ) {
    this.shown = replica.state;
    const text = RGA.text(this.shown);
    if (view.state.doc.toString() !== text) {
      // The editor was created with another text: show the replica's, as soon as updates are allowed.
      queueMicrotask(() => this.replace(text));
    }
    this.stop.push(
      replica.subscribe((state, change) => {
        if (this.applying) this.shown = state;
        else this.remote(state, change.delta);
      }),
    );
    if (presence) this.stop.push(presence.subscribe(() => view.dispatch({ effects: peersChanged.of(null) })));
    this.decorations = this.carets();
  }

  update(update: ViewUpdate): void {
    let local = false;
    for (const tr of update.transactions) {
      if (tr.annotation(remoteChange)) continue;
      if (tr.docChanged) this.local(tr);
      local ||= tr.docChanged || tr.selection !== undefined;
    }
    if (local && this.presence) {
      const { anchor, head } = update.state.selection.main;
      this.presence.select(selectionAt(this.shown, anchor, head));
    }
    if (update.docChanged || update.transactions.some((tr) => tr.effects.some((e) => e.is(peersChanged)))) this.decorations = this.carets();
  }

  destroy(): void {
    this.destroyed = true;
    for (const stop of this.stop.splice(0)) stop();
  }

  /** A local transaction becomes one delta. */
  private local(tr: Transaction): void {
    this.applying = true;
    const before = this.shown;
    let delta: RGA.RGA | undefined;
    try {
      // The replica's change event (this.applying) moves `shown` to the merged state.
      delta = editOf(this.shown, this.replica.id, tr.changes).delta;
      this.replica.apply(delta);
    } catch (error) {
      delta = undefined;
      // A delta past the sync limits, or a document that no longer matches the text:
      // show the replica's text again rather than drift apart from it.
      queueMicrotask(() => this.replace(RGA.text(this.shown)));
      logException(tr.state, error, 'convergent: local edit not applied');
    } finally {
      this.applying = false;
    }
    if (delta === undefined || this.undo === undefined) return;
    // Recorded once the edit is made: the undo history never costs a keystroke.
    try {
      const range = (sel: EditorSelection): TextSelection => ({ anchor: sel.main.anchor, head: sel.main.head });
      this.undo.capture(before, delta, { before: range(tr.startState.selection), after: range(tr.state.selection) });
    } catch (error) {
      logException(tr.state, error, 'convergent: edit not recorded for undo');
    }
  }

  /** Undo or redo through the undo manager: its delta goes to the replica, its changes and selection to the editor. */
  history(kind: 'undo' | 'redo'): boolean {
    const result = this.undo?.[kind](this.replica.state);
    if (result === undefined) return false;
    const changes = RGA.changesUtf16(this.shown, result.delta);
    this.applying = true;
    try {
      this.replica.apply(result.delta);
    } finally {
      this.applying = false;
    }
    const selection = result.selection && EditorSelection.single(result.selection.anchor, result.selection.head);
    this.view.dispatch({ changes, selection, scrollIntoView: true, annotations: [remoteChange.of(true), Transaction.addToHistory.of(false)] });
    return true;
  }

  /** A delta merged from elsewhere becomes the CodeMirror changes it makes to the text shown. */
  private remote(state: RGA.RGA, delta: RGA.RGA): void {
    const changes = RGA.changesUtf16(this.shown, delta);
    this.shown = state;
    if (changes.length > 0)
      this.view.dispatch({ changes, annotations: [remoteChange.of(true), Transaction.addToHistory.of(false)] });
    else this.view.dispatch({ effects: peersChanged.of(null) });
  }

  /** Replaces the whole document (a start from another text, a failed local edit). */
  private replace(text: string): void {
    if (this.destroyed || this.view.state.doc.toString() === text) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text }, annotations: [remoteChange.of(true), Transaction.addToHistory.of(false)] });
  }

  private carets(): DecorationSet {
    return caretDecorations(this.shown, this.presence?.peers ?? new Map(), this.view.state.doc.length);
  }
}

/**
 * A CodeMirror 6 extension that binds the editor to an RGA text replica: each local
 * transaction becomes one delta (one `RGA.edit`, UTF-16 offsets), and every delta the
 * replica merges from elsewhere becomes the minimal CodeMirror change
 * (`RGA.changesUtf16`, never a diff of the whole text), marked {@link remoteChange} so
 * it is not sent back nor undone by this editor's undo. With `presence`, the editor's
 * selection is published (anchored to characters) and the peers' carets and
 * selections are shown with their names and colours.
 *
 * Create the editor with the replica's text (`doc: RGA.text(replica.state)`); a
 * different starting text is replaced by the replica's. Lines are separated by `\n`
 * only (the extension sets `EditorState.lineSeparator`), so a `\r` in the shared text
 * is a character like any other and offsets agree on every replica.
 *
 * @param options - the replica, and optionally its document's presence
 * @returns the extension
 *
 * @example
 * ```ts
 * import { EditorState } from '@codemirror/state';
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { Replica } from '@convergent/sync';
 * import { convergent } from '@convergent/codemirror';
 *
 * const replica = new Replica({ id: asReplicaId('me'), type: RGA, gossipMs: 0 });
 * const state = EditorState.create({ doc: RGA.text(replica.state), extensions: [convergent({ replica })] });
 * state.facet(EditorState.lineSeparator); // => '\n'
 * // In the page: new EditorView({ state, parent: document.body });
 * ```
 */
export function convergent(options: ConvergentOptions): Extension {
  const { replica, presence, undo } = options;
  const plugin = ViewPlugin.define((view) => new Binding(view, replica, presence, undo), { decorations: (binding) => binding.decorations });
  if (undo === undefined) return [EditorState.lineSeparator.of('\n'), plugin, caretTheme];
  const run = (kind: 'undo' | 'redo') => (view: EditorView) => view.plugin(plugin)?.history(kind) ?? false;
  const keys = keymap.of([
    { key: 'Mod-z', run: run('undo'), preventDefault: true },
    { key: 'Mod-Shift-z', run: run('redo'), preventDefault: true },
    { key: 'Mod-y', run: run('redo'), preventDefault: true },
  ]);
  return [EditorState.lineSeparator.of('\n'), plugin, caretTheme, Prec.high(keys)];
}
