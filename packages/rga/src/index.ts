export {
  bottom,
  deleteAt,
  deleteText,
  edit,
  equals,
  get,
  idAt,
  indexOf,
  insertAt,
  insertText,
  length,
  leq,
  merge,
  text,
  toArray,
  type Editor,
  type ElementId,
  type RGA,
} from './rga.js';
export { decode, encode, fromJSON, read, toJSON, write, type RGAJSON, type RunJSON } from './codec.js';
export { authors, validateMerge } from './trust.js';
