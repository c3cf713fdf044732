export { bind, type BindOptions, type TextReplica } from './textarea.js';
