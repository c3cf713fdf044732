export { mergeAll, type Lattice } from './lattice.js';
export {
  asReplicaId,
  compareReplicaIds,
  MAX_REPLICA_ID_LENGTH,
  replicaId,
  replicaIdProblem,
  type ReplicaId,
} from './replica-id.js';
export {
  canonicalKey,
  fromCanonicalKey,
  InvalidValueError,
  isJsonValue,
  MAX_JSON_DEPTH,
  readJson,
  writeJson,
  type JsonObject,
  type JsonValue,
} from './json.js';
export { ConvergentError, DecodeError, InvalidReplicaIdError, MergeRejectedError } from './errors.js';
export { ensureHeadroom } from './headroom.js';
export { decodeVersioned, decodeWith, DEFAULT_LIMITS, Reader, Writer, type DecodeLimits } from './codec.js';
export { jsonArray, jsonField, jsonNat, jsonObject, jsonReplicaId, jsonString } from './json-input.js';
export { readInt, writeInt } from './int.js';
export {
  countsEqual,
  countsFromJSON,
  countsLeq,
  countsToJSON,
  mergeCounts,
  readCounts,
  writeCounts,
  type Counts,
} from './counts.js';
export { PersistentMap } from './persistent-map.js';
export { fnv1a32, fnv1a64 } from './hash.js';
