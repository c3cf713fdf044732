export { convergent, remoteChange, type ConvergentOptions } from './binding.js';
export { editOf } from './changes.js';
