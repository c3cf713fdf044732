import { laws, scenarios, type CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import { describe, test } from 'vitest';
import * as VersionVector from '../src/index.js';
import { DotContext } from '../src/index.js';
import { lawScale, scenarioScale } from '../../../test/support/scale.js';

export const spec: CrdtSpec<VersionVector.VersionVector, null> = {
  name: 'VersionVector',
  lattice: VersionVector,
  operation: fc.constant(null),
  mutate: (state, _op, replica) => VersionVector.increment(state, replica),
  ...VersionVector,
};

// A dot context's "delta" is the context holding one fresh dot; receivers that get
// such deltas out of order build up clouds, which is what the laws exercise.
export const dotContextSpec: CrdtSpec<DotContext, null> = {
  name: 'DotContext',
  lattice: DotContext,
  operation: fc.constant(null),
  mutate: (state, _op, replica) => DotContext.fromDots([DotContext.next(state, replica)]),
  encode: VersionVector.encodeDotContext,
  decode: VersionVector.decodeDotContext,
  toJSON: DotContext.toJSON,
  fromJSON: (json) => DotContext.fromJSON(json),
};

describe('VersionVector', () => {
  for (const law of [...laws(spec, lawScale), ...scenarios(spec, scenarioScale)]) test(law.name, () => law.run());
});
describe('DotContext', () => {
  for (const law of [...laws(dotContextSpec, lawScale), ...scenarios(dotContextSpec, scenarioScale)]) test(law.name, () => law.run());
});
