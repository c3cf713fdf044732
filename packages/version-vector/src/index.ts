export {
  bottom,
  compare,
  dominates,
  equals,
  get,
  increment,
  leq,
  merge,
  type Order,
  type VersionVector,
} from './version-vector.js';
export { decode, encode, fromJSON, read, toJSON, write, type VersionVectorJSON } from './codec.js';
export { decodeDotContext, DotContext, encodeDotContext, type Dot, type DotContextJSON } from './dot-context.js';
export { validateContext, validateMerge } from './trust.js';
