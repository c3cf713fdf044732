export { of, MAX_DEPTH, type ORMap, type ORMapJSON, type ORMapType, type Snapshot } from './or-map.js';
export { counter, count, increment, type CausalCounter, type CounterDot, type CounterStore } from './causal-counter.js';
export { register, set, type RegisterStore, type SetStore } from './embedded.js';
export type { Embeddable } from './embeddable.js';
