import { ConvergentError } from '@convergent/core';

/**
 * Reported (to a replica's `onError`) when a message arrives from another replica
 * using this replica's own id, as happens when two tabs share a stored id. Their
 * updates would be numbered alike and lost; give every replica and session a fresh
 * id (`replicaId()` from core).
 *
 * @example
 * ```ts
 * import { asReplicaId, ConvergentError } from '@convergent/core';
 * import * as GCounter from '@convergent/g-counter';
 * import { MemoryNetwork, Replica, ReplicaIdReuseError } from '@convergent/sync';
 *
 * const net = new MemoryNetwork();
 * const errors: unknown[] = [];
 * const tab1 = new Replica({ id: asReplicaId('same'), type: GCounter, onError: (e) => errors.push(e) });
 * const tab2 = new Replica({ id: asReplicaId('same'), type: GCounter });
 * tab1.connect(net.transport('tab1'));
 * tab2.connect(net.transport('tab2'));
 * net.flush();
 * errors[0] instanceof ReplicaIdReuseError; // => true
 * errors[0] instanceof ConvergentError; // => true
 * ```
 */
export class ReplicaIdReuseError extends ConvergentError {}
