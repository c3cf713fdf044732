// The law kit over RGA states reached with undo and redo among the operations: every
// law holds for undo and redo deltas as for any other delta.
import type { ReplicaId } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as RGA from '@convergent/rga';
import * as fc from 'fast-check';
import { test } from 'vitest';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';
import { text, UndoManager } from '../src/index.js';

type Op = { kind: 'type'; at: number; text: string } | { kind: 'erase'; at: number; count: number } | { kind: 'undo' } | { kind: 'redo' };

// One undo manager per replica. The kit replays many sessions, so a manager may hold
// steps of an earlier one: undo then skips what is not in the state, which is also
// what these laws check (every delta it makes is a valid one).
const managers = new Map<ReplicaId, UndoManager<RGA.RGA, unknown, never, never>>();
const managerOf = (replica: ReplicaId, state: RGA.RGA) => {
  let m = managers.get(replica);
  if (m === undefined || RGA.equals(state, RGA.bottom)) managers.set(replica, (m = new UndoManager({ kind: text(), replica, captureMs: 0 }) as never));
  return m;
};

const spec: CrdtSpec<RGA.RGA, Op> = {
  name: 'RGA with undo and redo',
  lattice: RGA,
  operation: fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('type' as const), at: fc.nat(), text: fc.string({ unit: fc.constantFrom('a', 'é', '😀'), minLength: 1, maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('erase' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'undo' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'redo' as const }) },
  ),
  mutate(state, op, replica) {
    const m = managerOf(replica, state);
    if (op.kind === 'undo' || op.kind === 'redo') return m[op.kind](state)?.delta ?? RGA.bottom;
    const n = RGA.length(state);
    let delta = RGA.bottom;
    if (op.kind === 'type') delta = RGA.insertText(state, replica, op.at % (n + 1), op.text);
    else if (n > 0) delta = RGA.deleteAt(state, replica, op.at % n, Math.min(op.count, n - (op.at % n)));
    m.capture(state, delta);
    return delta;
  },
  ...RGA,
};

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
