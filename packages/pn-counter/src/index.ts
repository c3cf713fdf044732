export { bottom, decrement, equals, increment, leq, merge, value, type PNCounter } from './pn-counter.js';
export { decode, encode, fromJSON, read, toJSON, write } from './codec.js';
