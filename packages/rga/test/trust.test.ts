import { asReplicaId, MergeRejectedError, type ReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as RGA from '../src/index.js';

const MAX = Number.MAX_SAFE_INTEGER;
const [A, B] = ['A', 'B'].map(asReplicaId) as [ReplicaId, ReplicaId];
const typed = (doc: RGA.RGA, replica: ReplicaId, text: string) => RGA.merge(doc, RGA.insertText(doc, replica, RGA.length(doc), text));

/** The receiver's check refuses `delta` with the typed error, and `state` is as it was. */
function refused(state: RGA.RGA, delta: RGA.RGA): void {
  const before = RGA.encode(state);
  expect(() => RGA.validateMerge(state, delta)).toThrow(MergeRejectedError);
  expect(RGA.encode(state)).toEqual(before);
}

describe('validateMerge refuses clocks at the end of the range', () => {
  const doc = typed(RGA.bottom, A, 'hi');

  test('an element with counter MAX_SAFE_INTEGER - 1 would make every later insert throw: refused', () => {
    // The attacker's delta, as raw JSON: one character after the receiver's text.
    const hostile = RGA.fromJSON({ runs: [], pending: [['evil', MAX - 1, ['A', 2], 'x']] });
    // Merged anyway, it leaves room for one more element; after it every insert throws.
    const merged = typed(RGA.merge(doc, hostile), A, 'a');
    expect(() => RGA.insertText(merged, A, 0, 'b')).toThrow('counter overflow');
    refused(doc, hostile);
    // The same element at the head of the list, and in bytes.
    refused(doc, RGA.decode(RGA.encode(RGA.fromJSON({ runs: [['evil', MAX - 1, null, 'x']], pending: [] }))));
  });

  test('the margin is the delta\'s own size: tombstones and pending runs count', () => {
    refused(doc, RGA.fromJSON({ runs: [], pending: [['evil', MAX - 5, ['nobody', 1], 'xyz']] }));
    refused(doc, RGA.fromJSON({ runs: [['evil', MAX - 9, null, 5]], pending: [] }));
    // Ten elements whose clock leaves room for more than ten: accepted.
    RGA.validateMerge(doc, RGA.fromJSON({ runs: [['evil', MAX - 20, null, 'abcdefghij']], pending: [] }));
  });

  test('honest edits and whole states pass', () => {
    const other = typed(RGA.bottom, B, 'yo');
    RGA.validateMerge(doc, other);
    RGA.validateMerge(doc, RGA.insertText(doc, B, 1, '-'));
    RGA.validateMerge(doc, RGA.deleteAt(doc, B, 0, 2));
    RGA.validateMerge(RGA.bottom, RGA.bottom);
  });
});

describe('authors are the inserters of the elements with content', () => {
  const doc = typed(typed(RGA.bottom, A, 'hi'), B, '!');

  test('a delete of others\' elements names nobody; an insert names its author', () => {
    expect(RGA.authors(RGA.deleteAt(doc, B, 0, 2)).size).toBe(0);
    expect([...RGA.authors(RGA.insertAt(doc, B, 0, [1, { two: 2 }]))]).toEqual(['B']);
    expect([...RGA.authors(doc)].sort()).toEqual(['A', 'B']);
  });

  test('an edit names the editor, whoever\'s text it deletes', () => {
    const { delta } = RGA.edit(doc, B, (e) => {
      e.deleteText(0, 2);
      e.insertText(0, 'yo');
    });
    expect([...RGA.authors(delta)]).toEqual(['B']);
  });

  test('pending elements are included', () => {
    const waiting = RGA.fromJSON({ runs: [], pending: [['C', 9, ['A', 2], 'x']] });
    expect([...RGA.authors(waiting)]).toEqual(['C']);
  });
});

describe('given the receiver\'s state, authors name the tombstones it would create', () => {
  // Issue 11: an element under another replica's next id, addressed to one replica, forks the document.
  const hi = RGA.insertText(RGA.bottom, A, 0, 'hi');
  const doc = RGA.merge(RGA.bottom, hi);
  // The attacker's delta: a "deleted" element under A's next id (A, 3), placed after 'h'.
  const forged = RGA.fromJSON({ runs: [], pending: [['A', 3, ['A', 1], 1]] });

  test('the forged tombstone forks the receiver when merged', () => {
    let honest = doc;
    let victim = RGA.merge(doc, forged);
    for (const text of ['x', 'y']) {
      const delta = RGA.insertText(honest, A, RGA.length(honest), text);
      honest = RGA.merge(honest, delta);
      victim = RGA.merge(victim, delta);
    }
    expect(RGA.text(honest)).toBe('hixy');
    expect(RGA.text(victim)).not.toBe('hixy');
  });

  test('so authors(delta, state) names A, and the sender must be A or a trusted forwarder', () => {
    expect(RGA.authors(forged).size).toBe(0);
    expect([...RGA.authors(forged, doc)]).toEqual(['A']);
    // A content element under A's id is named with or without the state.
    expect([...RGA.authors(RGA.fromJSON({ runs: [], pending: [['A', 3, ['A', 2], 'EVIL']] }), doc)]).toEqual(['A']);
  });

  test('an honest delete of elements the receiver holds names nobody', () => {
    const other = typed(doc, B, '!');
    expect(RGA.authors(RGA.deleteAt(other, B, 0, 3), other).size).toBe(0);
    const { delta } = RGA.edit(other, B, (e) => e.deleteText(1, 2));
    expect(RGA.authors(delta, other).size).toBe(0);
    // A receiver that lacks the deleted elements would get them from this delta: named.
    expect([...RGA.authors(RGA.deleteAt(other, B, 0, 3), RGA.bottom)].sort()).toEqual(['A', 'B']);
  });
});

