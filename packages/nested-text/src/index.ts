export { change, kind, type Text, type TextStore } from './nested-text.js';
