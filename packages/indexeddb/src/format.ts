// The stored format: one object store of immutable records, each a whole encoded
// delta or state of one document, appended under an auto-incremented key.
import type { IDBPDatabase, IDBPTransaction } from 'idb';

/** The stored-format version: the IndexedDB database version. */
export const FORMAT = 1;
export const RECORDS = 'records';
export const BY_DOC = 'doc';

/** What one record holds, as IndexedDB stores it. */
export interface StoredRecord {
  readonly doc: string;
  /** The format version the record was written in (foreign objects have none). */
  readonly format: number;
  /** `delta`: one change; `state`: a compaction of earlier records. */
  readonly kind: 'delta' | 'state';
  /** The type's encoding. */
  readonly bytes: Uint8Array;
  /** FNV-1a of `bytes`: catches bytes changed after they were written. */
  readonly sum: number;
}

/**
 * Upgrades, one per format version: `MIGRATIONS[v]` turns a database of version `v`
 * into one of version `v + 1` inside the upgrade transaction (which IndexedDB runs
 * atomically: a failed migration leaves the old version). Version 0 is no database.
 */
const MIGRATIONS: ReadonlyArray<(db: IDBPDatabase, tx: IDBPTransaction<unknown, string[], 'versionchange'>) => void> = [
  (db) => db.createObjectStore(RECORDS, { autoIncrement: true }).createIndex(BY_DOC, 'doc'),
];

/** Runs the migrations from `from` up to {@link FORMAT}. */
export function migrate(db: IDBPDatabase, from: number, tx: IDBPTransaction<unknown, string[], 'versionchange'>): void {
  for (let version = from; version < FORMAT; version++) MIGRATIONS[version]!(db, tx);
}

/** FNV-1a, 32 bits: detects changed bytes (not an adversary, who could recompute it). */
export function checksum(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/** A record of `doc` holding `bytes`. */
export function record(doc: string, kind: StoredRecord['kind'], bytes: Uint8Array): StoredRecord {
  return { doc, format: FORMAT, kind, bytes, sum: checksum(bytes) };
}

/** What is wrong with a stored value read under `doc`, or `undefined` if it is a sound record. */
export function problem(value: unknown, doc: string, maxBytes: number): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a record of @convergent/indexeddb';
  const r = value as Partial<StoredRecord>;
  if (typeof r.format !== 'number' || !Number.isInteger(r.format) || r.format < 1) return 'not a record of @convergent/indexeddb (no format version)';
  if (r.format > FORMAT) return `format ${r.format}, newer than this version of @convergent/indexeddb reads (${FORMAT})`;
  if (r.doc !== doc) return 'filed under another document';
  if (r.kind !== 'delta' && r.kind !== 'state') return 'unknown record kind';
  if (!(r.bytes instanceof Uint8Array)) return 'no bytes';
  if (r.bytes.length > maxBytes) return `${r.bytes.length} bytes, past the limit of ${maxBytes}`;
  if (r.sum !== checksum(r.bytes)) return 'checksum mismatch: the bytes changed after they were written';
  return undefined;
}
