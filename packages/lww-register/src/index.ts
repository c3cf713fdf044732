export {
  bottom,
  equals,
  firstWriterWins,
  get,
  leq,
  merge,
  set,
  type FirstWriterWins,
  type LWWRegister,
} from './lww-register.js';
export { decode, encode, fromJSON, read, toJSON, write, type LWWRegisterJSON } from './codec.js';
export { authors, validateMerge, validateMergeWith } from './trust.js';
