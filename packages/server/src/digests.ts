import { DigestTree, type Replica } from '@convergent/sync';
import type { DocumentStore } from './store.js';

/**
 * The server's digest tree: every document it holds, by name and `Replica.version`, so
 * that a client holding many documents learns which differ in a few requests
 * (`findDifferences` of `@convergent/sync` against the digest endpoint). Loaded
 * documents keep their entry current; an unloaded one keeps the version it had; stored
 * documents the server has not loaded since it started are read once, at the first
 * digest request.
 */
export class DocumentDigests {
  readonly tree = new DigestTree();
  #filled: Promise<void> | undefined;

  /**
   * @param store - where the documents are
   * @param versionOf - the version of a stored document (by loading it), or `undefined` if it is no document of this server
   */
  constructor(
    private readonly store: DocumentStore,
    private readonly versionOf: (name: string) => Promise<Uint8Array | undefined>,
  ) {}

  /** Keeps `name`'s entry equal to `replica`'s version while the replica lives. */
  track(name: string, replica: Replica<unknown>): void {
    this.tree.set(name, replica.version);
    replica.subscribe(() => this.tree.set(name, replica.version));
  }

  /** Forgets a deleted document. */
  delete(name: string): void {
    this.tree.delete(name);
  }

  /** Resolves once every stored document has an entry (the first call reads the ones not loaded yet; a failure is retried by the next call). */
  filled(): Promise<void> {
    this.#filled ??= (async () => {
      for await (const name of this.store.documents()) {
        if (this.tree.has(name)) continue;
        const version = await this.versionOf(name);
        // A document loaded meanwhile is tracked already, with a fresher version.
        if (version && !this.tree.has(name)) this.tree.set(name, version);
      }
    })().catch((error: unknown) => {
      this.#filled = undefined;
      throw error;
    });
    return this.#filled;
  }
}
