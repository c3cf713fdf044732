export { checkBinding, checkThrough, MemoryStore, StoreClosedError, type DocumentStore, type Fanout, type StoredDelta, type StoredDocument } from './store.js';
export { MemoryFanout } from './memory-fanout.js';
export { allowAnyone, type Access, type Authenticate, type AuthRequest, type Grant, type Refusal } from './auth.js';
export { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
export { jsonLines, type Logger, type LogEntry } from './log.js';
export type { DocumentSpec } from './document.js';
export { startServer, type ConvergentServer, type Health, type ServerOptions } from './server.js';
export { LevelDbStore } from './leveldb-store.js';
