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
export {
  bottom as emptyContext,
  decodeDotContext,
  DotContext,
  encodeDotContext,
  equals as contextEquals,
  fromDots as contextFromDots,
  has as hasDot,
  leq as contextLeq,
  merge as mergeContexts,
  next as nextDot,
  upTo as contextUpTo,
  type Dot,
  type DotContextJSON,
} from './dot-context.js';
export { mergeKeyed, type KeyedDots } from './keyed-merge.js';
export { validateContext, validateMerge } from './trust.js';
