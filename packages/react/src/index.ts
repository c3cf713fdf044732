export { shallowEqual, useReplica, useSelector, useStatus } from './hooks.js';
export { restoring, type HoldsReplica, type Restoring, type Source, type Status } from './source.js';
