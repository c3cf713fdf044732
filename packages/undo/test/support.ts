import { asReplicaId, type ReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { text, UndoManager, type AnchoredSelection, type TextSelection, type TextStep } from '../src/index.js';

export type TextUndo = UndoManager<RGA.RGA, TextSelection, TextStep, AnchoredSelection>;

/** A replica editing text with an undo manager, as a binding would drive it; its deltas go to `outbox`. */
export class Editor {
  doc: RGA.RGA;
  selection: TextSelection = { anchor: 0, head: 0 };
  readonly undoer: TextUndo;
  readonly outbox: RGA.RGA[] = [];
  clock = 0;

  constructor(
    readonly id: ReplicaId,
    doc: RGA.RGA = RGA.bottom,
    captureMs = 0,
  ) {
    this.doc = doc;
    this.undoer = new UndoManager({ kind: text(), replica: id, captureMs, now: () => this.clock });
  }

  /** A local edit through the undo manager, caret after it. */
  private local(delta: RGA.RGA, after: TextSelection): void {
    this.undoer.capture(this.doc, delta, { before: this.selection, after });
    this.doc = RGA.merge(this.doc, delta);
    this.selection = after;
    this.outbox.push(delta);
  }

  type(at: number, s: string): void {
    this.local(RGA.insertText(this.doc, this.id, at, s), { anchor: at + [...s].length, head: at + [...s].length });
  }

  /** Selects [from, from + count) and deletes it. */
  erase(from: number, count: number): void {
    this.selection = { anchor: from, head: from + count };
    this.local(RGA.deleteText(this.doc, this.id, from, count), { anchor: from, head: from });
  }

  /** A remote delta: the selection stays on its characters, as a binding keeps it. */
  receive(delta: RGA.RGA): void {
    const before = (i: number): RGA.ElementId | null => (i === 0 ? null : RGA.idAt(this.doc, i - 1));
    const [anchor, head] = [before(this.selection.anchor), before(this.selection.head)];
    this.doc = RGA.merge(this.doc, delta);
    this.selection = { anchor: RGA.caretAfter(this.doc, anchor), head: RGA.caretAfter(this.doc, head) };
  }

  undo(): boolean {
    return this.reverse(this.undoer.undo(this.doc));
  }

  redo(): boolean {
    return this.reverse(this.undoer.redo(this.doc));
  }

  private reverse(result: ReturnType<TextUndo['undo']>): boolean {
    if (result === undefined) return false;
    this.doc = result.state;
    if (result.selection) this.selection = result.selection;
    this.outbox.push(result.delta);
    return true;
  }

  get text(): string {
    return RGA.text(this.doc);
  }
}

export const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
