import type { JsonValue } from '@convergent/core';
import type { CrdtSpec } from '@convergent/laws';
import * as fc from 'fast-check';
import * as MVRegister from '../src/index.js';

// A few values, so that concurrent writes of one value (two dots, one value) happen often.
export const spec: CrdtSpec<MVRegister.MVRegister, JsonValue> = {
  name: 'MV-Register',
  lattice: MVRegister,
  operation: fc.oneof(
    fc.constantFrom<JsonValue>('Alice', 'Alicia', 'Allison', null, { a: 1, b: [2] }, { b: [2], a: 1 }),
    fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>,
  ),
  mutate: (state, value, replica) => MVRegister.set(state, replica, value),
  ...MVRegister,
};
