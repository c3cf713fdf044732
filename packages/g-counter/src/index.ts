export { bottom, equals, increment, leq, merge, value, type GCounter } from './g-counter.js';
export { decode, encode, fromJSON, read, toJSON, write, type GCounterJSON } from './codec.js';
export { authors, validateMerge } from './trust.js';
