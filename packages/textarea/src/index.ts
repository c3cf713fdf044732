export { bind, type BindOptions, type TextRange, type TextReplica, type TextUndo, type TextUndoResult } from './textarea.js';
