export { bottom, equals, leq, merge, set, values, type Entry, type MVRegister } from './mv-register.js';
export { decode, encode, fromJSON, read, toJSON, write, type MVRegisterJSON } from './codec.js';
export { authors, validateMerge } from './trust.js';
