export { add, bottom, clear, elements, equals, has, leq, merge, remove, size, type ORSet } from './or-set.js';
export { decode, encode, fromJSON, read, toJSON, write, type ORSetJSON } from './codec.js';
export { authors, validateMerge } from './trust.js';
