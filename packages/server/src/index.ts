export { checkThrough, MemoryStore, StoreClosedError, type DocumentStore, type Fanout, type StoredDelta, type StoredDocument } from './store.js';
export { MemoryFanout } from './memory-fanout.js';
export { LevelDbStore } from './leveldb-store.js';
