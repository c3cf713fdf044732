// Property tests over random editing sessions of several replicas, each with its own
// undo manager, as a binding drives one.
import type { ReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { alice, bob, carol, Editor } from './support.js';

type Action =
  | { kind: 'type'; who: number; at: number; text: string; wait: number }
  | { kind: 'erase'; who: number; at: number; count: number; wait: number }
  | { kind: 'undo'; who: number }
  | { kind: 'redo'; who: number }
  | { kind: 'deliver'; from: number; to: number; pick: number };

const who = fc.nat(2);
const wait = fc.constantFrom(0, 100, 600);
const typing = fc.record({ kind: fc.constant('type' as const), who, at: fc.nat(), text: fc.string({ unit: fc.constantFrom('a', 'b', 'é', '😀', ' '), minLength: 1, maxLength: 3 }), wait });
const erasing = fc.record({ kind: fc.constant('erase' as const), who, at: fc.nat(), count: fc.integer({ min: 1, max: 3 }), wait });
const localAction = fc.oneof({ weight: 3, arbitrary: typing }, { weight: 2, arbitrary: erasing });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: localAction },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('undo' as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redo' as const), who }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), from: who, to: who, pick: fc.nat() }) },
);

/** Three replicas; each delivers its outbox to the others in any order, duplicates allowed. */
function session(captureMs = 0): { editors: Editor[]; act: (a: Action) => void; settle: () => void } {
  const editors = [alice, bob, carol].map((id) => new Editor(id, RGA.bottom, captureMs));
  const act = (a: Action): void => {
    if (a.kind === 'deliver') {
      const out = editors[a.from]!.outbox;
      if (out.length > 0 && a.from !== a.to) editors[a.to]!.receive(out[a.pick % out.length]!);
      return;
    }
    const e = editors[a.who]!;
    if (a.kind === 'undo') e.undo();
    else if (a.kind === 'redo') e.redo();
    else {
      e.clock += a.wait;
      const n = RGA.length(e.doc);
      if (a.kind === 'type') e.type(a.at % (n + 1), a.text);
      else if (n > 0) e.erase(a.at % n, Math.min(a.count, n - (a.at % n)));
    }
  };
  const settle = (): void => {
    for (const e of editors) for (const f of editors) for (const d of f.outbox) e.receive(d);
  };
  return { editors, act, settle };
}

/** The visible elements others wrote: identity and value, in order. */
function othersText(doc: RGA.RGA, me: ReplicaId): string[] {
  const out: string[] = [];
  for (let i = 0; i < RGA.length(doc); i++) {
    const id = RGA.idAt(doc, i);
    if (id.replica !== me) out.push(`${id.replica}:${id.counter}=${String(RGA.get(doc, i))}`);
  }
  return out;
}

describe('undo properties', () => {
  test('with no remote edits, undoing every step walks back through each step boundary, text and selection, and redo walks forward again', () => {
    fc.assert(
      fc.property(fc.array(localAction, { minLength: 1, maxLength: 15 }), fc.constantFrom(0, 500), (all, captureMs) => {
        // An erase starts a step, so that no step deletes only what it typed (a step with
        // no effect is skipped by undo, and this test counts steps).
        const actions = all.map((a) => (a.kind === 'erase' ? { ...a, wait: 600 } : a));
        const e = new Editor(alice, RGA.bottom, captureMs);
        // Boundaries: the state before each step, and the final one.
        const marks: Array<{ text: string; selection: unknown }> = [];
        let last = -Infinity;
        for (const a of actions) {
          if (a.kind !== 'type' && a.kind !== 'erase') continue;
          const n = RGA.length(e.doc);
          if (a.kind === 'erase' && n === 0) continue;
          e.clock += a.wait;
          // A change starts a new step when it comes captureMs or more after the last one.
          if (e.clock - last >= captureMs || captureMs === 0) marks.push({ text: e.text, selection: { ...e.selection, ...(a.kind === 'erase' ? { anchor: a.at % n, head: (a.at % n) + Math.min(a.count, n - (a.at % n)) } : {}) } });
          last = e.clock;
          if (a.kind === 'type') e.type(a.at % (n + 1), a.text);
          else e.erase(a.at % n, Math.min(a.count, n - (a.at % n)));
        }
        const end = { text: e.text, selection: e.selection };
        for (let i = marks.length - 1; i >= 0; i--) {
          expect(e.undo()).toBe(true);
          expect({ text: e.text, selection: e.selection }).toEqual(marks[i]);
        }
        expect(e.undo()).toBe(false);
        for (let i = 0; i < marks.length; i++) expect(e.redo()).toBe(true);
        expect({ text: e.text, selection: e.selection }).toEqual(end);
      }),
      { numRuns: 300 },
    );
  });

  test('with remote edits interleaved anywhere, undo and redo never remove, change or reorder what others wrote', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 40 }), fc.constantFrom(0, 500), (actions, captureMs) => {
        const { editors, act } = session(captureMs);
        for (const a of actions) {
          if (a.kind === 'undo' || a.kind === 'redo') {
            const e = editors[a.who]!;
            const before = othersText(e.doc, e.id);
            act(a);
            expect(othersText(e.doc, e.id)).toEqual(before);
          } else act(a);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('undo and redo deltas converge: after every delta reaches every replica, in any order, all are equal', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 40 }), (actions) => {
        const { editors, act, settle } = session();
        for (const a of actions) act(a);
        settle();
        for (const e of editors.slice(1)) expect(RGA.equals(e.doc, editors[0]!.doc)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('undo never deletes an element this replica did not insert, and inserts only its own new elements', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 40 }), (actions) => {
        const { editors, act } = session();
        for (const a of actions) {
          if (a.kind !== 'undo') {
            act(a);
            continue;
          }
          const e = editors[a.who]!;
          const before = e.doc;
          if (!e.undo()) continue;
          const { inserted, deleted } = RGA.effectOf(before, e.outbox.at(-1)!);
          for (const id of inserted) expect(id.replica).toBe(e.id);
          // What it deletes is its own: text it inserted or restored.
          for (const { id } of deleted) expect(id.replica).toBe(e.id);
        }
      }),
      { numRuns: 300 },
    );
  });
});
