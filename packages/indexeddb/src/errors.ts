import { ConvergentError } from '@convergent/core';

/**
 * A stored record that could not be used: not a record of this package (foreign),
 * its checksum does not match its bytes, its bytes do not decode as the type, or the
 * type refuses to merge it. The record is skipped, whole, and never deleted by
 * compaction; the rest of the document loads.
 *
 * @example
 * ```ts
 * import { ConvergentError } from '@convergent/core';
 * import { CorruptRecordError } from '@convergent/indexeddb';
 *
 * const error = new CorruptRecordError('likes', 7, 'checksum mismatch');
 * error.key; // => 7
 * error instanceof ConvergentError; // => true
 * ```
 */
export class CorruptRecordError extends ConvergentError {
  /** The document whose records were being read. */
  readonly doc: string;
  /** The record's key in the object store: pass it to `DocumentStore.deleteRecords` to drop it. */
  readonly key: number;
  /**
   * @param doc - the document being read
   * @param key - the record's key
   * @param reason - what is wrong with it
   */
  constructor(doc: string, key: number, reason: string) {
    super(`stored record ${key} of document '${doc}' skipped: ${reason}`);
    this.doc = doc;
    this.key = key;
  }
}

/**
 * IndexedDB failed: a transaction aborted, the database was closed (deleted by another
 * tab, or by the browser), or it could not be opened. Nothing in memory is lost: a
 * {@link Persistence} keeps what it could not write and tries again on the next
 * change or `flush()`.
 *
 * @example
 * ```ts
 * import { StorageError } from '@convergent/indexeddb';
 *
 * const error = new StorageError('database closed', undefined);
 * error.name; // => 'StorageError'
 * ```
 */
export class StorageError extends ConvergentError {
  /** The browser's error (usually a `DOMException`), if any. */
  override readonly cause: unknown;
  /**
   * @param message - what failed
   * @param cause - the underlying error
   */
  constructor(message: string, cause: unknown) {
    super(message);
    this.cause = cause;
  }
}

/**
 * The browser refused a write for lack of space (`QuotaExceededError`). Nothing in
 * memory is lost: the unwritten deltas stay queued (merged into one) and are written
 * on the next change or `flush()`, once space is freed.
 *
 * @example
 * ```ts
 * import { StorageError, StorageQuotaError } from '@convergent/indexeddb';
 *
 * const error = new StorageQuotaError('disk full', new DOMException('full', 'QuotaExceededError'));
 * error instanceof StorageError; // => true
 * ```
 */
export class StorageQuotaError extends StorageError {}

/**
 * The database or a record was written by a newer version of this package (a stored
 * format this version cannot read). Nothing is changed or deleted; open it with the
 * newer version, or delete the database (`deleteStore`).
 *
 * @example
 * ```ts
 * import { StorageError, StoredFormatError } from '@convergent/indexeddb';
 *
 * const error = new StoredFormatError(3, 1);
 * error.found; // => 3
 * error instanceof StorageError; // => false
 * ```
 */
export class StoredFormatError extends ConvergentError {
  /** The format version found. */
  readonly found: number;
  /**
   * @param found - the version found
   * @param supported - the newest version this package reads
   */
  constructor(found: number, supported: number) {
    super(`stored format ${found} is newer than ${supported}, the newest this version of @convergent/indexeddb reads`);
    this.found = found;
  }
}

/** Wraps a failure of IndexedDB in a typed error: a full disk becomes a {@link StorageQuotaError}. */
export function storageError(what: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'QuotaExceededError') return new StorageQuotaError(`${what}: storage quota exceeded`, error);
  return new StorageError(`${what}: ${error instanceof Error ? error.message : String(error)}`, error);
}
