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
export { caretAfter, caretAfterUtf16, deleteIds, effectOf, idBeforeUtf16, reinsert, type ElementValue } from './by-id.js';
export { changesUtf16, deleteTextUtf16, idAtUtf16, insertTextUtf16, lengthUtf16, offsetOfUtf16 } from './utf16.js';
export type { TextChange } from './changes.js';
