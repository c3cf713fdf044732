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
export { DotContext, type Dot, type DotContextJSON } from './dot-context.js';
export { mergeKeyed, type KeyedDots } from './keyed-merge.js';
