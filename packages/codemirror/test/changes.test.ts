// Local CodeMirror change sets become one RGA edit, in Node (EditorState needs no DOM).
import { ChangeSet, EditorState } from '@codemirror/state';
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { convergent, editOf } from '../src/index.js';
import { Replica } from '@convergent/sync';
import { boundaries } from './support.js';

const me = asReplicaId('me');
const chars = fc.constantFrom('a', 'é', '😀', '𝄞', '\n', '\r', ' ');
const text = fc.array(chars, { maxLength: 10 }).map((cs) => cs.join(''));

/** Sorted, non-overlapping replacements at character boundaries of `doc`. */
const changesFor = (doc: string) =>
  fc.array(fc.record({ a: fc.nat(), b: fc.nat(), insert: text }), { maxLength: 4 }).map((raw) => {
    const bs = boundaries(doc);
    const cuts = raw.flatMap(({ a, b }) => [bs[a % bs.length]!, bs[b % bs.length]!]).sort((x, y) => x - y);
    return raw.map(({ insert }, i) => ({ from: cuts[2 * i]!, to: cuts[2 * i + 1]!, insert }));
  });

describe('editOf', () => {
  test('the RGA text after the edit is the document after the changes, astral characters and CR included', () => {
    fc.assert(
      fc.property(
        text.chain((doc) => fc.tuple(fc.constant(doc), changesFor(doc))),
        ([doc, specs]) => {
          const state = EditorState.create({ doc, extensions: EditorState.lineSeparator.of('\n') });
          const tr = state.update({ changes: specs });
          const start = RGA.insertText(RGA.bottom, me, 0, doc);
          const { state: after, delta } = editOf(start, me, tr.changes);
          expect(RGA.text(after)).toBe(tr.state.doc.toString());
          expect(RGA.equals(RGA.merge(start, delta), after)).toBe(true);
        },
      ),
    );
  });

  test('changes that do not fit the text are a RangeError, and nothing is edited', () => {
    const start = RGA.insertText(RGA.bottom, me, 0, 'ab');
    expect(() => editOf(start, me, ChangeSet.of({ from: 3, insert: 'x' }, 4))).toThrow(RangeError);
    expect(() => editOf(RGA.insertText(RGA.bottom, me, 0, '😀'), me, ChangeSet.of({ from: 1, insert: 'x' }, 2))).toThrow(RangeError);
  });

  test('the extension separates lines by \\n only, so a \\r is one character of the text', () => {
    const replica = new Replica({ id: me, type: RGA, gossipMs: 0 });
    const state = EditorState.create({ doc: 'a\r\nb', extensions: convergent({ replica }) });
    expect(state.doc.length).toBe(4);
    expect(state.doc.lines).toBe(2);
  });
});
