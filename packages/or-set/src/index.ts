export { add, bottom, clear, elementDots, elements, equals, has, leq, liveDots, merge, remove, size, type ElementDots, type ORSet } from './or-set.js';
export { decode, encode, fromJSON, read, toJSON, write, type ORSetJSON } from './codec.js';
export { authors, validateMerge } from './trust.js';
