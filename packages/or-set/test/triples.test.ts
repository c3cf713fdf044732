import { universe, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { test } from 'vitest';
import * as ORSet from '../src/index.js';

// Every triple of the last 12 states and deltas of short random histories, all on one
// element, so that one replica's adds of it and removes meet in every grouping. The law
// kit samples triples; this checks all of them, which catches a join that drops an older
// dot of a replica (adds delivered out of order) in every run, where sampling may miss it.
type Op = { kind: 'add' | 'remove' };
const spec: CrdtSpec<ORSet.ORSet, Op> = {
  name: 'OR-Set of one element',
  lattice: ORSet,
  operation: fc.record({ kind: fc.constantFrom('add' as const, 'add' as const, 'remove' as const) }),
  mutate: (state, op, replica) => ORSet[op.kind](state, replica, 'x'),
  ...ORSet,
};

test('merge is commutative, inflationary and associative on all triples of the last 12 states of 300 histories', () => {
  const { merge, equals, leq } = ORSet;
  fc.assert(
    fc.property(universe(spec, 16), ({ pool }) => {
      const states = pool.map((held) => held.state).slice(-12);
      for (const a of states)
        for (const b of states) {
          const ab = merge(a, b);
          if (!equals(ab, merge(b, a)) || !leq(a, ab)) return false;
          for (const c of states) if (!equals(merge(ab, c), merge(a, merge(b, c)))) return false;
        }
      return true;
    }),
    { numRuns: 300 },
  );
});
