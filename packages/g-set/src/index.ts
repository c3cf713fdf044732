export { add, bottom, elements, equals, has, leq, merge, size, type GSet } from './g-set.js';
export { decode, encode, fromJSON, read, toJSON, write, type GSetJSON } from './codec.js';
export { authors } from './trust.js';
