import { asReplicaId, type ReplicaId } from '@convergent/core';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as RGA from '../src/index.js';

const [A, B, C] = ['A', 'B', 'C'].map(asReplicaId) as [ReplicaId, ReplicaId, ReplicaId];
const replicas = [A, B, C];

/** Characters a browser counts differently from code points: astral, combining, line breaks. */
const char = fc.constantFrom('a', 'b', 'é', 'e\u0301', '😀', '👍🏽', '𝒜', '\n', '字');
const snippet = fc.array(char, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));

/** The UTF-16 offsets of `s` that start a code point (and its end). */
function boundaries(s: string): number[] {
  const out: number[] = [];
  let i = 0;
  for (const cp of s) {
    out.push(i);
    i += cp.length;
  }
  out.push(i);
  return out;
}

/** Applies changes (sorted, in the coordinates of `s`) last to first, as a textarea does. */
function apply(s: string, changes: readonly RGA.TextChange[]): string {
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i]!;
    s = s.slice(0, c.from) + c.insert + s.slice(c.to);
  }
  return s;
}

function expectWellFormed(changes: readonly RGA.TextChange[], length: number): void {
  let end = 0;
  for (const c of changes) {
    expect(c.from).toBeGreaterThanOrEqual(end);
    expect(c.to).toBeGreaterThanOrEqual(c.from);
    expect(c.to > c.from || c.insert !== '').toBe(true);
    end = c.to;
  }
  expect(end).toBeLessThanOrEqual(length);
}

type Step =
  | { kind: 'insert'; who: number; at: number; text: string }
  | { kind: 'delete'; who: number; at: number; len: number }
  | { kind: 'sync'; who: number; from: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), who: fc.nat(2), at: fc.nat(), text: snippet }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), who: fc.nat(2), at: fc.nat(), len: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sync' as const), who: fc.nat(2), from: fc.nat(2) }) },
);

/** Three replicas editing in UTF-16 offsets and syncing now and then: their states and every delta made. */
function simulate(steps: readonly Step[]): { states: RGA.RGA[]; deltas: RGA.RGA[] } {
  const states = [RGA.bottom, RGA.bottom, RGA.bottom];
  const deltas: RGA.RGA[] = [];
  for (const s of steps) {
    const state = states[s.who]!;
    const bounds = boundaries(RGA.text(state));
    let delta: RGA.RGA;
    if (s.kind === 'sync') delta = states[s.from]!;
    else if (s.kind === 'insert') delta = RGA.insertTextUtf16(state, replicas[s.who]!, bounds[s.at % bounds.length]!, s.text);
    else {
      if (bounds.length < 2) continue;
      const i = s.at % (bounds.length - 1);
      const j = Math.min(i + s.len, bounds.length - 1);
      delta = RGA.deleteTextUtf16(state, replicas[s.who]!, bounds[i]!, bounds[j]! - bounds[i]!);
    }
    if (s.kind !== 'sync') deltas.push(delta);
    states[s.who] = RGA.merge(state, delta);
  }
  return { states, deltas };
}

describe('UTF-16 offsets', () => {
  test('agree with JS string semantics: length, insert, delete, ids', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), snippet, fc.nat(), fc.nat(), (steps, ins, i, j) => {
        const { states } = simulate(steps);
        for (const state of states) {
          const s = RGA.text(state);
          expect(RGA.lengthUtf16(state)).toBe(s.length);
          const bounds = boundaries(s);
          const at = bounds[i % bounds.length]!;
          const end = bounds[Math.max(i % bounds.length, j % bounds.length)]!;
          expect(RGA.text(RGA.merge(state, RGA.insertTextUtf16(state, A, at, ins)))).toBe(s.slice(0, at) + ins + s.slice(at));
          expect(RGA.text(RGA.merge(state, RGA.deleteTextUtf16(state, A, at, end - at)))).toBe(s.slice(0, at) + s.slice(end));
          for (const b of bounds.slice(0, -1)) expect(RGA.offsetOfUtf16(state, RGA.idAtUtf16(state, b))).toBe(b);
        }
      }),
    );
  });

  test('an offset inside a surrogate pair is a RangeError, never a split', () => {
    const doc = RGA.insertText(RGA.bottom, A, 0, 'a😀b');
    expect(() => RGA.insertTextUtf16(doc, A, 2, 'x')).toThrow(/splits a character/);
    expect(() => RGA.deleteTextUtf16(doc, A, 1, 1)).toThrow(RangeError);
    expect(() => RGA.deleteTextUtf16(doc, A, 2, 2)).toThrow(/splits a character/);
    expect(() => RGA.idAtUtf16(doc, 2)).toThrow(RangeError);
    expect(() => RGA.idAtUtf16(doc, 4)).toThrow(/out of range/);
    expect(() => RGA.insertTextUtf16(doc, A, 5, 'x')).toThrow(/out of range/);
    expect(() => RGA.edit(doc, A, (e) => e.insertTextUtf16(2, 'x'))).toThrow(RangeError);
  });

  test('the issue-15 keystrokes: "hi 😀" then " ok", then select all and delete', () => {
    let doc = RGA.bottom;
    for (const [i, ch] of ['h', 'i', ' ', '😀'].entries()) doc = RGA.merge(doc, RGA.insertTextUtf16(doc, A, i === 3 ? 3 : i, ch));
    doc = RGA.merge(doc, RGA.insertTextUtf16(doc, A, 5, ' ok'));
    expect(RGA.text(doc)).toBe('hi 😀 ok');
    doc = RGA.merge(doc, RGA.deleteTextUtf16(doc, A, 0, RGA.lengthUtf16(doc)));
    expect(RGA.text(doc)).toBe('');
  });

  test('a deleted element answers the offset of the next visible character; an unknown one -1', () => {
    let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, A, 0, '😀xy'));
    const x = RGA.idAtUtf16(doc, 2);
    const y = RGA.idAtUtf16(doc, 3);
    doc = RGA.merge(doc, RGA.deleteTextUtf16(doc, A, 0, 3));
    expect(RGA.offsetOfUtf16(doc, x)).toBe(0);
    expect(RGA.offsetOfUtf16(doc, y)).toBe(0);
    doc = RGA.merge(doc, RGA.deleteTextUtf16(doc, A, 0, 1));
    expect(RGA.offsetOfUtf16(doc, y)).toBe(0);
    expect(RGA.offsetOfUtf16(doc, { replica: B, counter: 1 })).toBe(-1);
  });

  test('Editor: UTF-16 edits see the text as edited so far', () => {
    const { state, delta } = RGA.edit(RGA.bottom, A, (e) => {
      e.insertTextUtf16(0, '👍🏽 ok');
      e.deleteTextUtf16(0, 4);
      e.insertTextUtf16(e.lengthUtf16, '!');
    });
    expect(RGA.text(state)).toBe(' ok!');
    expect(RGA.text(RGA.merge(RGA.bottom, delta))).toBe(' ok!');
  });
});

describe('changesUtf16', () => {
  test('applied to the old text, the changes give the merged text (random docs with astral characters)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.nat(2), fc.nat(), (steps, who, pick) => {
        const { states, deltas } = simulate(steps);
        const before = states[who]!;
        const old = RGA.text(before);
        // One delta, a whole state, and the state itself (no change).
        const candidates = [...(deltas.length > 0 ? [deltas[pick % deltas.length]!] : []), states[(who + 1) % 3]!, before];
        for (const delta of candidates) {
          const changes = RGA.changesUtf16(before, delta);
          expectWellFormed(changes, old.length);
          expect(apply(old, changes)).toBe(RGA.text(RGA.merge(before, delta)));
        }
        expect(RGA.changesUtf16(before, before)).toEqual([]);
      }),
    );
  });

  test('a one-character remote insert is one change at its offset', () => {
    const doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, A, 0, '😀 héllo'));
    const delta = RGA.insertTextUtf16(doc, B, 3, '👋');
    expect(RGA.changesUtf16(doc, delta)).toEqual([{ from: 3, to: 3, insert: '👋' }]);
    const del = RGA.deleteTextUtf16(doc, B, 0, 2);
    expect(RGA.changesUtf16(doc, del)).toEqual([{ from: 0, to: 2, insert: '' }]);
  });

  test('a delta that waits for a missing origin changes nothing until the origin arrives', () => {
    const d1 = RGA.insertText(RGA.bottom, A, 0, 'ab');
    const s1 = RGA.merge(RGA.bottom, d1);
    const d2 = RGA.insertTextUtf16(s1, A, 2, '😀');
    const late = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, B, 0, 'z'));
    const waiting = RGA.merge(late, d2);
    expect(RGA.changesUtf16(late, d2)).toEqual([]);
    // B's 'z' orders before A's 'a' (same counter, greater replica).
    expect(RGA.changesUtf16(waiting, d1)).toEqual([{ from: 1, to: 1, insert: 'ab😀' }]);
  });

  test('many separate changes fall back to one change from comparing the texts', () => {
    const base = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, A, 0, 'ab'.repeat(300)));
    const { delta } = RGA.edit(base, B, (e) => {
      for (let i = 0; i < 200; i++) e.deleteTextUtf16(i, 1);
    });
    const changes = RGA.changesUtf16(base, delta);
    expect(changes).toHaveLength(1);
    expect(apply(RGA.text(base), changes)).toBe(RGA.text(RGA.merge(base, delta)));
  });

  test('a whole state larger than before (a new replica catching up) gives one change from comparing the texts', () => {
    const { state } = RGA.edit(RGA.bottom, A, (e) => {
      for (let i = 0; i < 500; i++) e.insertTextUtf16(i % 2 === 0 ? 0 : e.lengthUtf16, i % 7 === 0 ? '😀' : 'x');
    });
    const small = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, B, 0, 'hé'));
    const changes = RGA.changesUtf16(small, state);
    expect(changes).toHaveLength(1);
    expect(apply(RGA.text(small), changes)).toBe(RGA.text(RGA.merge(small, state)));
  });

  test('the text fallback never splits a surrogate pair', () => {
    const base = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, A, 0, '😀'.repeat(200)));
    const { delta } = RGA.edit(base, B, (e) => {
      for (let i = 0; i < 150; i++) e.insertTextUtf16(4 * i, '😃');
    });
    const [change] = RGA.changesUtf16(base, delta);
    expect(change!.from % 2).toBe(0);
    expect(change!.insert.isWellFormed()).toBe(true);
    expect(apply(RGA.text(base), [change!])).toBe(RGA.text(RGA.merge(base, delta)));
  });
});
