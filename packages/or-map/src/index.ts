export { of, MAX_DEPTH, type ORMap, type ORMapType, type Snapshot } from './or-map.js';
export { causal, type CausalJSON, type CausalType } from './causal.js';
export { counter, count, increment, type CausalCounter, type CounterDot, type CounterStore } from './causal-counter.js';
export { register, set, type RegisterStore, type SetStore } from './embedded.js';
export { cachedSnapshot, deltaOf, isLive, nestedChecks, resetOf, type Embeddable, type HasContext, type HasKind } from './embeddable.js';
