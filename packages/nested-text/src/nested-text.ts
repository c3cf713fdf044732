import { DecodeError, jsonArray, jsonNat, jsonReplicaId, type ReplicaId } from '@convergent/core';
import type { Embeddable } from '@convergent/or-map';
import { contextFromDots, hasDot, nextDot, type DotContext } from '@convergent/version-vector';
import { authors as rgaAuthors, bottom, deleteText, equals, fromJSON, length, merge, read, text as textOf, toJSON, validateMerge, write, type RGA } from '@convergent/rga';

/**
 * The dot store of RGA text inside a map, struct or list: the text itself, and
 * per replica the dot of its latest edit (what keeps the text there).
 *
 * @example
 * ```ts
 * import * as NestedText from '@convergent/nested-text';
import * as RGA from '@convergent/rga';
 *
 * const store: NestedText.TextStore = NestedText.kind.empty;
 * store.dots.size; // => 0
 * ```
 */
export interface TextStore {
  /** The text. */
  readonly doc: RGA;
  /** Per replica, the counter of the dot of its latest edit. */
  readonly dots: ReadonlyMap<ReplicaId, number>;
}

/**
 * RGA text as a map, struct or list holds it and hands it to {@link change}: its
 * store and the context it lives in.
 *
 * @example
 * ```ts
 * import * as ORMap from '@convergent/or-map';
 * import * as NestedText from '@convergent/nested-text';
import * as RGA from '@convergent/rga';
 *
 * const Notes = ORMap.of(NestedText.kind);
 * const note: NestedText.Text = Notes.get(Notes.bottom, 'todo');
 * RGA.text(note.doc); // => ''
 * ```
 */
export interface Text extends TextStore {
  /** The enclosing value's context. */
  readonly context: DotContext;
}

const view = (store: TextStore, context: DotContext): Text => Object.freeze({ doc: store.doc, dots: store.dots, context });
const storeOf = (store: TextStore, doc: RGA, dots: ReadonlyMap<ReplicaId, number>): TextStore =>
  store.doc === doc && store.dots === dots ? store : Object.freeze({ doc, dots });
const sortedDots = (dots: ReadonlyMap<ReplicaId, number>) => [...dots].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0));

/**
 * Delta mutator for text inside a map, struct or list: applies an RGA edit
 * (`insertText`, `deleteText`, `edit`, ...) and tags it with a fresh dot of
 * `replica`, replacing the replica's earlier one. The dot is what a remove
 * removes: text whose every dot a remover had seen is removed.
 *
 * @param text - the text as the enclosing type hands it out
 * @param replica - the acting replica
 * @param edit - makes the RGA delta from the current text
 * @returns the delta
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import * as NestedText from '@convergent/nested-text';
import * as RGA from '@convergent/rga';
 *
 * const Notes = ORMap.of(NestedText.kind);
 * const me = asReplicaId('me');
 * let notes = Notes.bottom;
 * notes = Notes.merge(notes, Notes.update(notes, me, 'todo', (t, r) => NestedText.change(t, r, (doc, r2) => RGA.insertText(doc, r2, 0, 'call Bob'))));
 * Notes.snapshot(notes); // => { todo: 'call Bob' }
 * ```
 */
export function change(text: Text, replica: ReplicaId, edit: (doc: RGA, replica: ReplicaId) => RGA): Text {
  const doc = edit(text.doc, replica);
  const dot = nextDot(text.context, replica);
  const old = text.dots.get(replica);
  return view(
    { doc, dots: new Map([[replica, dot.counter]]) },
    contextFromDots(old === undefined ? [dot] : [dot, { replica, counter: old }]),
  );
}

/**
 * RGA text as a value of a map (`ORMap.of(NestedText.kind)`), a struct field or a list
 * element. Edit it with {@link change}; its snapshot is the string.
 *
 * A remove concurrent with an edit leaves **only the characters the remover had
 * not seen**: removing deletes every character the remover had seen, as RGA
 * deletes, and removes the edits' dots it had seen; characters typed concurrently
 * stay, where they were typed. (Keeping the whole text would bring back what the
 * remover deleted; this is the reset every other kind does.) What a removed text
 * keeps is its RGA positions, with no content: a key, field or element whose text
 * was removed stays in the state, hidden, so that a late concurrent edit still
 * lands where it was made.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import * as ORMap from '@convergent/or-map';
 * import * as NestedText from '@convergent/nested-text';
import * as RGA from '@convergent/rga';
 *
 * const Notes = ORMap.of(NestedText.kind);
 * const [ann, ben] = [asReplicaId('ann'), asReplicaId('ben')];
 * const type = (at: number, s: string) => (t: NestedText.Text, r: typeof ann) => NestedText.change(t, r, (doc, r2) => RGA.insertText(doc, r2, at, s));
 * const both = Notes.merge(Notes.bottom, Notes.update(Notes.bottom, ann, 'n', type(0, 'milk')));
 * const removed = Notes.remove(both, ann, 'n');
 * const typed = Notes.update(both, ben, 'n', type(4, '!'));
 * Notes.snapshot(Notes.merge(Notes.merge(both, removed), typed)); // => { n: '!' }
 * ```
 */
export const kind: Embeddable<Text, TextStore, string> = Object.freeze<Embeddable<Text, TextStore, string>>({
  empty: Object.freeze({ doc: bottom, dots: new Map() }),
  depth: 1,
  view,
  storeOf: (t: Text) => Object.freeze({ doc: t.doc, dots: t.dots }),
  isEmpty: (store: TextStore) => store.dots.size === 0 && equals(store.doc, bottom),
  live: (store: TextStore) => store.dots.size > 0,
  // The RGA elements are events of their inserters, and their counters must leave room.
  authors(store: TextStore, out: Set<ReplicaId>) {
    for (const r of rgaAuthors(store.doc)) out.add(r);
  },
  validate: (store: TextStore) => validateMerge(bottom, store.doc),
  reset: (store: TextStore, replica: ReplicaId) => Object.freeze({ doc: deleteText(store.doc, replica, 0, length(store.doc)), dots: new Map() }),
  join(a: TextStore, ac: DotContext, b: TextStore, bc: DotContext): TextStore {
    // Per replica its latest edit's dot, kept if the other side holds it too or never saw it.
    const dots = new Map<ReplicaId, number>();
    for (const r of new Set([...a.dots.keys(), ...b.dots.keys()])) {
      const [x, y] = [a.dots.get(r), b.dots.get(r)];
      const keepX = x !== undefined && (x === y || !hasDot(bc, { replica: r, counter: x }));
      const keepY = y !== undefined && (x === y || !hasDot(ac, { replica: r, counter: y }));
      if (keepX || keepY) dots.set(r, Math.max(keepX ? x! : 0, keepY ? y! : 0));
    }
    const same = dots.size === a.dots.size && [...dots].every(([r, c]) => a.dots.get(r) === c);
    return storeOf(a, merge(a.doc, b.doc), same ? a.dots : dots);
  },
  equals: (a: TextStore, b: TextStore) =>
    a === b || (a.dots.size === b.dots.size && [...a.dots].every(([r, c]) => b.dots.get(r) === c) && equals(a.doc, b.doc)),
  dots: (store: TextStore) => store.dots,
  snapshot: (store: TextStore) => textOf(store.doc),
  write(writer, store, replicas) {
    writer.uint(store.dots.size);
    for (const [r, c] of sortedDots(store.dots)) writer.uint(replicas.get(r)!).uint(c);
    write(writer, store.doc);
  },
  read(reader, replicas) {
    const dots = new Map<ReplicaId, number>();
    let last = -1;
    for (let n = reader.count(replicas.length, 2); n > 0; n--) {
      const at = reader.offset;
      const index = reader.uint(replicas.length - 1);
      const counter = reader.uint();
      if (index <= last || counter < 1) reader.fail('edit dots out of order, repeated or 0', at);
      last = index;
      dots.set(replicas[index]!, counter);
    }
    return Object.freeze({ dots, doc: read(reader) });
  },
  toJSON: (store: TextStore) => [sortedDots(store.dots), toJSON(store.doc)],
  fromJSON(json, path) {
    const pair = jsonArray(json, path, 2);
    if (pair.length !== 2) throw new DecodeError('expected [dots, text]', { path });
    const dots = new Map<ReplicaId, number>();
    jsonArray(pair[0], `${path}[0]`).forEach((item, i) => {
      const at = `${path}[0][${i}]`;
      const dot = jsonArray(item, at, 2);
      const replica = jsonReplicaId(dot[0], at);
      const counter = jsonNat(dot[1], at);
      const last = [...dots.keys()].at(-1);
      if (dot.length !== 2 || counter < 1 || (last !== undefined && last >= replica)) throw new DecodeError('edit dots out of order, repeated or 0', { path: at });
      dots.set(replica, counter);
    });
    let doc: RGA;
    try {
      doc = fromJSON(pair[1]);
    } catch (e) {
      throw e instanceof DecodeError ? new DecodeError(e.message, { path: `${path}[1]` }) : e;
    }
    return Object.freeze({ dots, doc });
  },
});
