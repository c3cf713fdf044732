import type { JsonValue, ReplicaId } from '@convergent/core';
import * as HLC from '@convergent/hlc';
import type { CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import * as LWWRegister from '../src/index.js';

type Op = { wall: number; value: JsonValue };

// Tiny wall clocks, so that concurrent writes often share wall time and counter and the
// replica id has to break the tie. Each write uses a clock reading `wall`: arbitrarily
// skewed against the other replicas (the clock itself catches up with what the register holds).
const clockAt = (replica: ReplicaId, wall: number) => new HLC.Clock(replica, { wallClock: () => wall, maxDrift: Infinity });
export const operation: fc.Arbitrary<Op> = fc.record({
  wall: fc.nat(3),
  value: fc.oneof(fc.nat(3), fc.constantFrom<JsonValue>('x', null, { a: 1, b: [2] }, { b: [2], a: 1 }), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>),
});

const codecs = {
  encode: LWWRegister.encode,
  decode: LWWRegister.decode,
  toJSON: LWWRegister.toJSON,
  fromJSON: LWWRegister.fromJSON,
};

export const spec: CrdtSpec<LWWRegister.LWWRegister, Op> = {
  name: 'LWW-Register',
  lattice: LWWRegister,
  operation,
  mutate: (state, { wall, value }, replica) => LWWRegister.set(state, clockAt(replica, wall), value),
  ...codecs,
  authors: LWWRegister.authors,
  // Walls read 0 to 3, so no reachable timestamp is more than 3 ms ahead of a clock reading 0.
  validateMerge: LWWRegister.validateMergeWith({ wallClock: () => 0, maxDrift: 3 }),
};

export const fwwSpec: CrdtSpec<LWWRegister.LWWRegister, Op> = {
  name: 'first-writer-wins register',
  lattice: LWWRegister.firstWriterWins,
  operation,
  mutate: (state, { wall, value }, replica) => LWWRegister.firstWriterWins.set(state, clockAt(replica, wall), value),
  ...codecs,
  authors: LWWRegister.authors,
};
