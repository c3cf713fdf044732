import { DigestTree, type Replica } from '@convergent/sync';
import type { DocumentStore } from './store.js';

/** Most scoped trees kept at once; the least recently used goes first (and is rebuilt at its next use). */
const MAX_SCOPES = 64;

/**
 * The server's digest tree: every document it holds, by name and `Replica.version`, so
 * that a client holding many documents learns which differ in a few requests
 * (`findDifferences` of `@convergent/sync` against the digest endpoint). Loaded
 * documents keep their entry current; an unloaded one keeps the version it had; stored
 * documents the server has not loaded since it started are read once, at the first
 * digest request. An identity whose grant scopes it to a name prefix is answered from a
 * tree of only the documents under that prefix ({@link DocumentDigests.scoped}), kept
 * current the same way.
 */
export class DocumentDigests {
  readonly tree = new DigestTree();
  /** Trees of the prefixes in use, least recently used first. */
  readonly #scopes = new Map<string, DigestTree>();
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
    this.#set(name, replica.version);
    replica.subscribe(() => this.#set(name, replica.version));
  }

  /** Forgets a deleted document. */
  delete(name: string): void {
    this.tree.delete(name);
    for (const [prefix, tree] of this.#scopes) if (name.startsWith(prefix)) tree.delete(name);
  }

  /**
   * The tree of the documents whose names start with `prefix` (all of them for
   * `undefined` or `''`), built from the whole tree at its first use, then kept current.
   * Call it after {@link DocumentDigests.filled}.
   */
  scoped(prefix: string | undefined): DigestTree {
    if (prefix === undefined || prefix === '') return this.tree;
    let tree = this.#scopes.get(prefix);
    if (tree === undefined) {
      tree = this.tree.filter((name) => name.startsWith(prefix));
      if (this.#scopes.size >= MAX_SCOPES) this.#scopes.delete(this.#scopes.keys().next().value as string);
    }
    this.#scopes.delete(prefix);
    this.#scopes.set(prefix, tree);
    return tree;
  }

  /** Resolves once every stored document has an entry (the first call reads the ones not loaded yet; a failure is retried by the next call). */
  filled(): Promise<void> {
    this.#filled ??= (async () => {
      for await (const name of this.store.documents()) {
        if (this.tree.has(name)) continue;
        const version = await this.versionOf(name);
        // A document loaded meanwhile is tracked already, with a fresher version.
        if (version && !this.tree.has(name)) this.#set(name, version);
      }
    })().catch((error: unknown) => {
      this.#filled = undefined;
      throw error;
    });
    return this.#filled;
  }

  #set(name: string, version: Uint8Array): void {
    this.tree.set(name, version);
    for (const [prefix, tree] of this.#scopes) if (name.startsWith(prefix)) tree.set(name, version);
  }
}
