import type { ReplicaId } from '@convergent/core';
import type { SendOptions, Transport, TransportHandlers } from '../../src/index.js';

/**
 * A loss-free room for counting deliveries: a message with an addressee reaches that
 * replica only, any other every peer but its sender. (MemoryNetwork broadcasts
 * everything on this branch; routing by addressee lands there from the transport work.)
 */
export class RoutingRoom {
  deliveries = 0;
  bytes = 0;
  /** Every message delivered, with its addressee. */
  readonly delivered: Array<[ReplicaId, Uint8Array]> = [];
  private readonly members = new Map<ReplicaId, TransportHandlers>();
  private queue: Array<[ReplicaId, Uint8Array]> = [];
  private readonly online = new Set<ReplicaId>();

  transport(id: ReplicaId): Transport {
    this.online.add(id);
    const room = this;
    return {
      get connected() {
        return room.online.has(id);
      },
      send: (bytes: Uint8Array, options?: SendOptions) => {
        if (!this.online.has(id)) return;
        for (const to of options?.to !== undefined ? [options.to] : this.members.keys()) if (to !== id) this.queue.push([to, bytes]);
      },
      listen: (handlers: TransportHandlers) => {
        this.members.set(id, handlers);
        return () => this.members.delete(id);
      },
    };
  }

  /** Takes `id` off the room or back; `tell`: whether its replica hears of it (a lossy link does not). */
  setOnline(id: ReplicaId, up: boolean, tell = true): void {
    if (up) this.online.add(id);
    else this.online.delete(id);
    if (tell) this.members.get(id)?.status(up);
  }

  flush(): void {
    while (this.queue.length > 0) {
      const [to, bytes] = this.queue.shift()!;
      if (!this.online.has(to)) continue;
      this.deliveries++;
      this.bytes += bytes.length;
      this.delivered.push([to, bytes]);
      this.members.get(to)?.message(bytes);
    }
  }
}
