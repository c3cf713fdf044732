export { bottom, decrement, equals, increment, leq, merge, value, type PNCounter } from './pn-counter.js';
export { decode, encode, fromJSON, read, toJSON, write, type PNCounterJSON } from './codec.js';
export { authors, validateMerge } from './trust.js';
