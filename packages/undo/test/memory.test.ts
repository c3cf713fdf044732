// The text kind remembers which element replaced which; the step limit bounds that memory.
import * as RGA from '@convergent/rga';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { text, UndoManager, type TextKind, type TextSelection } from '../src/index.js';
import { alice } from './support.js';

type Op = { kind: 'type'; at: number } | { kind: 'erase'; at: number; count: number } | { kind: 'undo' } | { kind: 'redo' };

/** Runs a session on one replica with `kind` and returns each state's text and restored selection. */
function session(kind: TextKind, limit: number, ops: readonly Op[]) {
  const undo = new UndoManager({ kind, replica: alice, captureMs: 0, limit });
  let doc = RGA.bottom;
  const seen: Array<[string, TextSelection | undefined]> = [];
  for (const op of ops) {
    if (op.kind === 'undo' || op.kind === 'redo') {
      const result = undo[op.kind](doc);
      if (result) doc = result.state;
      seen.push([RGA.text(doc), result?.selection]);
      continue;
    }
    const n = RGA.length(doc);
    const at = op.at % (n + 1);
    const count = Math.min(op.kind === 'erase' ? op.count : 0, n - at);
    const delta = op.kind === 'type' ? RGA.insertText(doc, alice, at, 'abcde') : RGA.deleteText(doc, alice, at, count);
    undo.capture(doc, delta, { before: { anchor: at, head: at + count }, after: { anchor: at, head: at } });
    doc = RGA.merge(doc, delta);
    seen.push([RGA.text(doc), undefined]);
  }
  return seen;
}

/** The kind with its `retain` hidden, so the manager never prunes it. */
const withoutPruning = (kind: TextKind): TextKind => Object.create(kind, { retain: { value: undefined } }) as TextKind;

const cycle = (times: number): Op[] =>
  Array.from({ length: times }, (): Op[] => [{ kind: 'type', at: 0 }, { kind: 'erase', at: 0, count: 5 }, { kind: 'undo' }]).flat();

describe('text undo memory', () => {
  test('the map of replaced elements stays bounded by the step limit', () => {
    const bounded = text();
    const unbounded = text();
    session(bounded, 3, cycle(400));
    session(withoutPruning(unbounded), 3, cycle(400));
    // Each cycle brings back 5 elements under new ids.
    expect(unbounded.remembered).toBe(2000);
    expect(bounded.remembered).toBeLessThanOrEqual(64 + 5);
  });

  test('pruning changes nothing: the same session with and without it shows the same text and selections', () => {
    let prunedRuns = 0;
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('type' as const), at: fc.nat(40) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('erase' as const), at: fc.nat(40), count: fc.integer({ min: 1, max: 8 }) }) },
      { weight: 3, arbitrary: fc.constant({ kind: 'undo' as const }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'redo' as const }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 400 }), fc.integer({ min: 1, max: 4 }), (ops, limit) => {
        const pruned = text();
        const unpruned = text();
        expect(session(pruned, limit, ops)).toEqual(session(withoutPruning(unpruned), limit, ops));
        if (pruned.remembered < unpruned.remembered) prunedRuns++;
      }),
      { numRuns: 40 },
    );
    // The sessions are long enough that pruning happens in nearly every run.
    expect(prunedRuns).toBeGreaterThan(30);
  });
});
