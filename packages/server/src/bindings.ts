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

/** Replica ids of closed connections an identity keeps while it has others (for their offline tabs' events). */
const RETIRED = 64;

/**
 * Per identity with an open connection, the replica ids its connections may send events
 * of: every id its open connections use, and the last {@link RETIRED} ids of its closed
 * ones, so that one tab may pass on the offline events of another that has left. The
 * set is the connections' `sender.replicas`; it goes with the identity's last connection
 * (the bindings themselves stay in the store). Bounded by the open connections.
 */
export class ConnectedIdentities {
  readonly #entries = new Map<string, { readonly ids: Set<ReplicaId>; readonly uses: Map<ReplicaId, number>; readonly retired: Set<ReplicaId>; connections: number }>();

  /** A connection of `identity` opens: the identity's set of ids, shared by its connections. */
  join(identity: string): ReadonlySet<ReplicaId> {
    let entry = this.#entries.get(identity);
    if (entry === undefined) this.#entries.set(identity, (entry = { ids: new Set(), uses: new Map(), retired: new Set(), connections: 0 }));
    entry.connections++;
    return entry.ids;
  }

  /** A connection of `identity` uses `id` (bound to it). */
  use(identity: string, id: ReplicaId): void {
    const entry = this.#entries.get(identity);
    if (entry === undefined) return;
    entry.ids.add(id);
    entry.retired.delete(id);
    entry.uses.set(id, (entry.uses.get(id) ?? 0) + 1);
  }

  /** A connection of `identity` that used `ids` closed. */
  leave(identity: string, ids: Iterable<ReplicaId>): void {
    const entry = this.#entries.get(identity);
    if (entry === undefined) return;
    if (--entry.connections === 0) {
      this.#entries.delete(identity);
      return;
    }
    for (const id of ids) {
      const left = (entry.uses.get(id) ?? 1) - 1;
      if (left > 0) {
        entry.uses.set(id, left);
        continue;
      }
      entry.uses.delete(id);
      entry.retired.add(id);
      if (entry.retired.size > RETIRED) {
        const oldest = entry.retired.keys().next().value as ReplicaId;
        entry.retired.delete(oldest);
        entry.ids.delete(oldest);
      }
    }
  }
}
