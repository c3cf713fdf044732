import type { ReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { inputChange, mapPosition, normalizeBreaks } from './edit.js';

/**
 * What the binding needs of a replica of an RGA text: a `Replica<RGA>` of
 * `@convergent/sync` is one as it is, and so is any object with these three members.
 * `subscribe` must call its listener synchronously after every change of `state`
 * (local and remote), with the delta that was merged.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import type { TextReplica } from '@convergent/textarea';
 *
 * // A replica without a network: enough for a test, or for one page.
 * const listeners = new Set<(state: RGA.RGA, change: { delta: RGA.RGA }) => void>();
 * const local: TextReplica = {
 *   state: RGA.bottom,
 *   update(mutate) {
 *     const delta = mutate(this.state, asReplicaId('me'));
 *     (this as { state: RGA.RGA }).state = RGA.merge(this.state, delta);
 *     for (const listener of listeners) listener(this.state, { delta });
 *   },
 *   subscribe(listener) {
 *     listeners.add(listener);
 *     return () => listeners.delete(listener);
 *   },
 * };
 * local.update((state, id) => RGA.insertText(state, id, 0, 'hi'));
 * RGA.text(local.state); // => 'hi'
 * ```
 */
export interface TextReplica {
  /** The current state. */
  readonly state: RGA.RGA;
  /** Makes a local change: `mutate` returns a delta, which the replica merges and sends. */
  update(mutate: (state: RGA.RGA, id: ReplicaId) => RGA.RGA): unknown;
  /** Calls `listener` after every change with the new state and the delta merged; returns the unsubscribe function. */
  subscribe(listener: (state: RGA.RGA, change: { readonly delta: RGA.RGA }) => void): () => unknown;
}

/**
 * Options of {@link bind}.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { Replica } from '@convergent/sync';
 * import type { BindOptions } from '@convergent/textarea';
 *
 * const options: BindOptions = { replica: new Replica({ id: asReplicaId('tab-1'), type: RGA, gossipMs: 0 }) };
 * RGA.length(options.replica.state); // => 0
 * ```
 */
export interface BindOptions {
  /** The replica whose text the element edits and shows. */
  readonly replica: TextReplica;
  /**
   * An undo manager of `@convergent/undo`, made with `text({ utf16: true })` for this
   * replica: the binding records each local edit in it with the selection around it,
   * and Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z and Ctrl+Y (and the browser's Edit menu) undo and
   * redo through it instead of the element's own history.
   */
  readonly undo?: TextUndo;
}

/**
 * What the binding needs of an undo manager: `new UndoManager({ kind: text({ utf16: true }), replica: id })`
 * of `@convergent/undo` is one. Selections are UTF-16 offsets.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import type { TextUndo } from '@convergent/textarea';
 * import { text, UndoManager } from '@convergent/undo';
 *
 * const undo: TextUndo = new UndoManager({ kind: text({ utf16: true }), replica: asReplicaId('tab-1') });
 * undo.undo(RGA.bottom); // => undefined
 * ```
 */
export interface TextUndo {
  /**
   * Records a local edit.
   * @param before - the state the delta was made from
   * @param delta - the delta
   * @param selection - the selection before and after the edit
   */
  capture(before: RGA.RGA, delta: RGA.RGA, selection?: { readonly before?: TextRange; readonly after?: TextRange }): void;
  /**
   * Undoes the last local step.
   * @param state - the current state
   * @returns the delta to apply and the selection to show, or `undefined`
   */
  undo(state: RGA.RGA): TextUndoResult | undefined;
  /**
   * Redoes the last undo.
   * @param state - the current state
   * @returns as `undo`
   */
  redo(state: RGA.RGA): TextUndoResult | undefined;
}

/**
 * What {@link TextUndo} gives back on undo and redo.
 *
 * @example
 * ```ts
 * import * as RGA from '@convergent/rga';
 * import type { TextUndoResult } from '@convergent/textarea';
 *
 * const nothing: TextUndoResult = { delta: RGA.bottom, selection: undefined };
 * nothing.selection; // => undefined
 * ```
 */
export interface TextUndoResult {
  /** The delta to apply to the replica. */
  readonly delta: RGA.RGA;
  /** The selection to show, if one was recorded. */
  readonly selection: TextRange | undefined;
}

/**
 * A selection in UTF-16 offsets, as {@link TextUndo} takes and gives it.
 *
 * @example
 * ```ts
 * import type { TextRange } from '@convergent/textarea';
 *
 * const word: TextRange = { anchor: 6, head: 11 };
 * word.head - word.anchor; // => 5
 * ```
 */
export interface TextRange {
  /** The end that stays. */
  readonly anchor: number;
  /** The end that moves. */
  readonly head: number;
}

/**
 * Binds a `<textarea>` or a single-line `<input>` to a replica's RGA text, both ways,
 * until the returned function is called.
 *
 * - The element shows the replica's text at once (its own value is replaced).
 * - Each local input event becomes one delta: the binding compares the value with what
 *   it showed, at the place the selection says the edit was made, in UTF-16 units.
 *   Line breaks are stored as the element stores them: a textarea turns pasted CR LF
 *   and CR into LF, an input drops them.
 * - Each remote change is applied as the minimal edit {@link RGA.changesUtf16} finds
 *   (the whole text is never read), and each end of the selection keeps to its
 *   characters: text inserted before the caret moves it, text inserted at the caret
 *   goes after it.
 * - During an IME composition nothing touches the element. Remote changes that arrive
 *   meanwhile are applied when it ends, together with the composed text, which is
 *   inserted where its place has moved to. Undo of the composed text restores the
 *   selection it replaced (where the remote changes moved it).
 *
 * @param element - a textarea, or an input of type text, search, url, tel or password
 * @param options - the replica
 * @returns the function that unbinds (idempotent): the element keeps its value
 * @throws TypeError when the element has no text selection (e.g. an input of type number)
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as RGA from '@convergent/rga';
 * import { Replica } from '@convergent/sync';
 * import { bind } from '@convergent/textarea';
 *
 * // In a page: const area = document.querySelector('textarea')!. A stand-in, so that the example runs in Node:
 * const area = { value: '', selectionStart: 0, selectionEnd: 0, selectionDirection: 'none', localName: 'textarea',
 *   addEventListener() {}, removeEventListener() {} } as unknown as HTMLTextAreaElement;
 * const replica = new Replica({ id: asReplicaId('tab-1'), type: RGA, gossipMs: 0 });
 * replica.update((state, id) => RGA.insertText(state, id, 0, 'hello 👋'));
 * const unbind = bind(area, { replica });
 * area.value; // => 'hello 👋'
 * unbind();
 * ```
 */
export function bind(element: HTMLTextAreaElement | HTMLInputElement, options: BindOptions): () => void {
  const { replica, undo } = options;
  if (element.selectionStart === null) throw new TypeError('the element has no text selection: bind a textarea or a text input');
  const multiline = element.localName === 'textarea';
  /** The state the element shows (with the local edits it has not yet reported, if any). */
  let shown = replica.state;
  /** The element's value when it showed `shown`. */
  let value = '';
  /** Remote changes held back during a composition: each state and the delta that made it. */
  let held: Array<{ readonly state: RGA.RGA; readonly delta: RGA.RGA }> = [];
  let composing = false;
  /** Inside our own update: the change is already on the element. */
  let writing = false;
  /** The selection just before the input event being handled (from beforeinput). */
  let before: [number, number] | undefined;
  /** The selection when the composition started: what the composed text replaces, and what undo restores. */
  let composedOver: [number, number] | undefined;

  const show = (text: string): void => {
    element.value = text;
    value = element.value;
  };
  const selection = (): [number, number, 'forward' | 'backward' | 'none'] => [
    element.selectionStart ?? 0,
    element.selectionEnd ?? 0,
    element.selectionDirection ?? 'none',
  ];

  /** Replaces UTF-16 units [from, to) of the replica's text (the one `shown` holds) by `insert`. */
  const write = (from: number, to: number, insert: string, around: { before?: TextRange; after?: TextRange } = {}): void => {
    writing = true;
    let made: [RGA.RGA, RGA.RGA] | undefined;
    try {
      replica.update((state, id) => {
        const { delta } = RGA.edit(state, id, (e) => {
          if (to > from) e.deleteTextUtf16(from, to - from);
          if (insert !== '') e.insertTextUtf16(from, insert);
        });
        made = [state, delta];
        return delta;
      });
      // Recorded once the edit is made: the undo history never costs a keystroke.
      if (made) undo?.capture(made[0], made[1], around);
    } finally {
      writing = false;
    }
    shown = replica.state;
  };

  /** Applies changes (in the coordinates of the element's value) as edits of the element, keeping the selection on its characters. */
  const applyChanges = (changes: readonly RGA.TextChange[]): void => {
    if (changes.length === 0) return;
    const [start, end, direction] = selection();
    const from = mapPosition(start, changes, start === end ? -1 : 1);
    const to = Math.max(from, mapPosition(end, changes, -1));
    for (let i = changes.length - 1; i >= 0; i--) {
      const c = changes[i]!;
      element.setRangeText(c.insert, c.from, c.to);
    }
    value = element.value;
    element.setSelectionRange(from, to, direction);
  };

  /** Reports the element's local edits (one delta) and applies the remote changes held back. */
  const flush = (): void => {
    const [, caret] = selection();
    const [start, end] = before ?? [caret, caret];
    before = undefined;
    const local = inputChange(value, element.value, start, end, caret);
    // Held remote changes, each list in the coordinates the previous one left.
    const remote: RGA.TextChange[][] = [];
    for (const { state, delta } of held) {
      remote.push(RGA.changesUtf16(shown, delta));
      shown = state;
    }
    held = [];
    if (local === undefined) {
      for (const changes of remote) applyChanges(changes);
      return;
    }
    const insert = normalizeBreaks(local.insert, multiline);
    try {
      if (remote.length === 0) {
        const [s, e] = selection();
        write(local.from, local.to, insert, { before: { anchor: start, head: end }, after: { anchor: s, head: e } });
        // The element keeps what the user typed unless the text stored differs (line breaks).
        if (insert !== local.insert) element.setRangeText(insert, local.from, local.from + local.insert.length, 'end');
        value = element.value;
        return;
      }
      // Remote text arrived around the local edit: make it where its place is now, then show the merged text.
      const pure = local.from === local.to;
      let from = local.from;
      let to = local.to;
      for (const changes of remote) {
        from = mapPosition(from, changes, pure ? -1 : 1);
        to = Math.max(from, mapPosition(to, changes, -1));
      }
      const [s, e, direction] = selection();
      const place = (pos: number): number => {
        if (pos <= local.from) return remote.reduce((p, changes) => mapPosition(p, changes, -1), pos);
        if (pos >= local.from + local.insert.length) {
          const old = remote.reduce((p, changes) => mapPosition(p, changes, -1), pos - local.insert.length + local.to - local.from);
          return old - (to - from) + insert.length;
        }
        return from + Math.min(pos - local.from, insert.length);
      };
      const [s2, e2] = [place(s), place(e)];
      // The selection before the edit, where the remote changes moved it (as applyChanges moves a selection).
      const anchor = remote.reduce((p, changes) => mapPosition(p, changes, start === end ? -1 : 1), start);
      const head = Math.max(anchor, remote.reduce((p, changes) => mapPosition(p, changes, -1), end));
      write(from, to, insert, { before: { anchor, head }, after: { anchor: s2, head: Math.max(s2, e2) } });
      show(RGA.text(shown));
      element.setSelectionRange(s2, Math.max(s2, e2), direction);
    } catch (error) {
      // The element and the replica disagree (a bug, or a replica changed behind the binding): show the replica's text.
      shown = replica.state;
      show(RGA.text(shown));
      throw error;
    }
  };

  /** Undo or redo through the undo manager: its delta goes to the replica, its changes to the element. */
  const history = (kind: 'undo' | 'redo'): void => {
    if (undo === undefined || composing) return;
    flush();
    const result = undo[kind](replica.state);
    if (result === undefined) return;
    const changes = RGA.changesUtf16(shown, result.delta);
    writing = true;
    try {
      replica.update(() => result.delta);
    } finally {
      writing = false;
    }
    shown = replica.state;
    applyChanges(changes);
    if (result.selection) {
      const { anchor, head } = result.selection;
      element.setSelectionRange(Math.min(anchor, head), Math.max(anchor, head), anchor > head ? 'backward' : 'forward');
    }
  };
  const onBeforeInput = (event: Event): void => {
    const type = (event as InputEvent).inputType;
    if (undo !== undefined && (type === 'historyUndo' || type === 'historyRedo')) {
      event.preventDefault();
      history(type === 'historyUndo' ? 'undo' : 'redo');
      return;
    }
    before = [element.selectionStart ?? 0, element.selectionEnd ?? 0];
  };
  const onKeyDown = (event: Event): void => {
    const key = event as KeyboardEvent;
    if (undo === undefined || !(key.ctrlKey || key.metaKey) || key.altKey) return;
    const k = key.key.toLowerCase();
    const kind = k === 'z' ? (key.shiftKey ? 'redo' : 'undo') : k === 'y' && !key.shiftKey ? 'redo' : undefined;
    if (kind === undefined) return;
    key.preventDefault();
    history(kind);
  };
  const onInput = (event: Event): void => {
    if (composing || (event as InputEvent).isComposing === true) return;
    flush();
  };
  const onCompositionStart = (): void => {
    flush();
    composing = true;
    composedOver = [element.selectionStart ?? 0, element.selectionEnd ?? 0];
  };
  const onCompositionEnd = (): void => {
    composing = false;
    // The beforeinput events of the composition saw its own text selected: the edit replaced what was selected when it started.
    before = composedOver;
    composedOver = undefined;
    flush();
  };
  const unsubscribe = replica.subscribe((state, change) => {
    if (writing) return;
    held.push({ state, delta: change.delta });
    // (flush also reports an edit of the element that no input event has reported yet.)
    if (!composing) flush();
  });

  const listeners: Array<[string, (event: Event) => void]> = [
    ['beforeinput', onBeforeInput],
    ['input', onInput],
    ['compositionstart', onCompositionStart],
    ['compositionend', onCompositionEnd],
    ['keydown', onKeyDown],
  ];
  for (const [type, listener] of listeners) element.addEventListener(type, listener);
  show(RGA.text(shown));

  let bound = true;
  return () => {
    if (!bound) return;
    bound = false;
    unsubscribe();
    for (const [type, listener] of listeners) element.removeEventListener(type, listener);
  };
}
