export { CorruptRecordError, StorageError, StorageQuotaError, StoredFormatError } from './errors.js';
export { memoryLocks, type Locks } from './locks.js';
export { deleteStore, DocumentStore, openStore, type Compacted, type Loaded, type StoreOptions, type Usage } from './store.js';
export { persist, Persistence, restore, type DurableStatus, type PersistOptions, type Restored, type RestoreOptions } from './persistence.js';
