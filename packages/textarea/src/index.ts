export { bind, type BindOptions, type TextRange, type TextReplica, type TextUndo } from './textarea.js';
