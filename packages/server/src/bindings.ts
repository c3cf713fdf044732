import type { ReplicaId } from '@convergent/core';
import type { DocumentStore } from './store.js';

/**
 * Which identity each replica id belongs to, as the server sees it: the store holds
 * every binding (durable, and shared by the processes of one store); this keeps the
 * `size` most recently used in memory, so that the ids of the connections at work cost
 * no store round trip, and what bindings cost in memory is fixed, whatever the number
 * of documents and of clients that ever connected. Bindings never change once made, so
 * a cached one is never stale.
 */
export class Bindings {
  /** Replica id -> owner, least recently used first (a Map keeps insertion order). */
  readonly #cache = new Map<ReplicaId, string>();
  /** Store lookups under way: concurrent claims of one id share one. */
  readonly #pending = new Map<ReplicaId, Promise<string>>();

  constructor(
    private readonly store: DocumentStore,
    private readonly size: number,
  ) {}

  /** The owner of `id`: bound to `identity` unless another identity holds it. Rejects if the store does. */
  owner(id: ReplicaId, identity: string): string | Promise<string> {
    const cached = this.#cache.get(id);
    if (cached !== undefined) {
      this.#remember(id, cached);
      return cached;
    }
    let pending = this.#pending.get(id);
    if (pending === undefined) {
      pending = this.store
        .bind(id, identity)
        .then((owner) => {
          this.#remember(id, owner);
          return owner;
        })
        .finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    return pending;
  }

  #remember(id: ReplicaId, owner: string): void {
    this.#cache.delete(id);
    if (this.size === 0) return;
    this.#cache.set(id, owner);
    if (this.#cache.size > this.size) this.#cache.delete(this.#cache.keys().next().value as ReplicaId);
  }
}
