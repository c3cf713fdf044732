export {
  add,
  bottom,
  elements,
  equals,
  has,
  leq,
  merge,
  remove,
  size,
  wasRemoved,
  type TwoPhaseSet,
} from './two-phase-set.js';
export { decode, encode, fromJSON, read, toJSON, write, type TwoPhaseSetJSON } from './codec.js';
export { authors } from './trust.js';
