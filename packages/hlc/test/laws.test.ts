import { decodeWith, Writer, type ReplicaId } from '@convergent/core';
import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { test } from 'vitest';
import * as HLC from '../src/index.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

// A clock is not a lattice, but what it folds over is: "the latest timestamp seen",
// timestamps under max, with nothing seen as bottom. Running the kit on that register
// checks that `compare` is a total order agreeing with equality (merge is commutative,
// associative, idempotent only then) and that the codec is canonical and validated.
// (Bottom is `null`, not `undefined`: the kit's Network treats `undefined` as "no such replica".)
type Latest = HLC.Timestamp | null;

const later = (a: Latest, b: Latest): Latest => (a === null ? b : b === null ? a : HLC.compare(a, b) >= 0 ? a : b);
const same = (a: Latest, b: Latest) => (a === null || b === null ? a === b : HLC.compare(a, b) === 0);

export const spec: CrdtSpec<Latest, { wall: number; remote: boolean }> = {
  name: 'latest HLC timestamp',
  lattice: {
    bottom: null,
    merge: later,
    leq: (a, b) => same(later(a, b), b),
    equals: same,
  },
  // Small, skewed wall clocks, so that equal walls and logical counters are common.
  operation: fc.record({ wall: fc.nat(3), remote: fc.boolean() }),
  mutate: (state, { wall, remote }, replica: ReplicaId) => {
    const clock = new HLC.Clock(replica, { wallClock: () => wall, maxDrift: Infinity });
    if (state === null) return clock.now();
    // Either the receive event itself, or a local event after it.
    const received = clock.receive(state);
    return remote ? received : clock.now();
  },
  encode: (state) => {
    const w = new Writer().byte(1);
    if (state === null) w.byte(0);
    else HLC.write(w.byte(1), state);
    return w.finish();
  },
  decode: (bytes) =>
    decodeWith(bytes, (r) => {
      r.version(1);
      const tag = r.byte();
      if (tag > 1) r.fail('bad tag');
      return tag === 0 ? null : HLC.read(r);
    }),
  toJSON: (state) => (state === null ? null : HLC.toJSON(state)),
  fromJSON: (json) => (json === null ? null : HLC.fromJSON(json)),
};

for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
