export {
  bottom,
  deleteAt,
  deleteText,
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
  type ElementId,
  type RGA,
} from './rga.js';
export { decode, encode, fromJSON, read, toJSON, write, type RGAJSON, type RunJSON } from './codec.js';
