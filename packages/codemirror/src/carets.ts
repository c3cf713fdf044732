import { RangeSetBuilder } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';
import type { ReplicaId } from '@convergent/core';
import { selectionOffsets, type PresenceState } from '@convergent/presence';
import type * as RGA from '@convergent/rga';

/** A peer's caret: a coloured bar with the peer's name above it. */
class CaretWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly colour: string,
  ) {
    super();
  }

  override eq(other: CaretWidget): boolean {
    return other.name === this.name && other.colour === this.colour;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = 'cm-convergent-caret';
    // The colour is #rrggbb (presence refuses anything else), so it is safe in a style.
    caret.style.borderLeftColor = this.colour;
    caret.setAttribute('aria-hidden', 'true');
    const label = caret.appendChild(document.createElement('span'));
    label.className = 'cm-convergent-caret-label';
    label.style.backgroundColor = this.colour;
    label.textContent = this.name;
    return caret;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

/**
 * @internal The decorations for the peers' carets and selections, resolved against the
 * text (`state`) the editor shows. A peer whose anchors have not arrived yet is left out.
 */
export function caretDecorations(state: RGA.RGA, peers: ReadonlyMap<ReplicaId, PresenceState>, docLength: number): DecorationSet {
  const marks: Array<{ from: number; to: number; decoration: Decoration }> = [];
  for (const [id, peer] of [...peers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const at = peer.selection && selectionOffsets(state, peer.selection);
    if (!at || at.head > docLength || at.anchor > docLength) continue;
    const from = Math.min(at.anchor, at.head);
    const to = Math.max(at.anchor, at.head);
    if (from < to)
      marks.push({ from, to, decoration: Decoration.mark({ class: 'cm-convergent-selection', attributes: { style: `background-color: ${peer.colour}33`, 'data-peer': id } }) });
    marks.push({ from: at.head, to: at.head, decoration: Decoration.widget({ widget: new CaretWidget(peer.name, peer.colour), side: 1 }) });
  }
  marks.sort((a, b) => a.from - b.from || a.decoration.startSide - b.decoration.startSide);
  const builder = new RangeSetBuilder<Decoration>();
  for (const { from, to, decoration } of marks) builder.add(from, to, decoration);
  return builder.finish();
}

/** @internal The default look of peers' carets, labels and selections (override it with a theme). */
export const caretTheme = EditorView.baseTheme({
  '.cm-convergent-caret': {
    position: 'relative',
    borderLeft: '2px solid',
    marginLeft: '-1px',
    marginRight: '-1px',
    pointerEvents: 'none',
  },
  '.cm-convergent-caret-label': {
    position: 'absolute',
    bottom: '100%',
    left: '-2px',
    padding: '0 3px',
    borderRadius: '3px 3px 3px 0',
    color: 'white',
    fontSize: '0.75em',
    lineHeight: '1.3',
    whiteSpace: 'nowrap',
    userSelect: 'none',
  },
});
