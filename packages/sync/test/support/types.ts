import { countsLeq, decodeWith, type Counts, type ReplicaId } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import type { SyncAdapter } from '../../src/index.js';

/** G-Counter with causal capabilities: its counts are its own version vector. */
export const causalGCounter: SyncAdapter<GCounter.GCounter> = {
  ...GCounter,
  seen: (state) => state.counts,
  missing: (state, seen) =>
    Object.freeze({ counts: new Map([...state.counts].filter(([id, n]) => n > (seen.get(id) ?? 0))) }),
};

/**
 * A test-only causal type: a grow-only set of events, each event `(replica, seq)`
 * remembering what its author had seen when it made it (`deps`). An event visible
 * without one of its deps is a causal-visibility violation.
 */
export interface Event {
  readonly replica: ReplicaId;
  readonly seq: number;
  readonly deps: Counts;
}
export type Log = ReadonlyMap<string, Event>;
const key = (replica: string, seq: number) => `${replica}:${seq}`;

function seenOf(log: Log): Counts {
  const out = new Map<ReplicaId, number>();
  for (const e of log.values()) if (!out.has(e.replica)) {
    let n = 0;
    while (log.has(key(e.replica, n + 1))) n++;
    if (n > 0) out.set(e.replica, n);
  }
  return out;
}

export const causalLog: SyncAdapter<Log> = {
  bottom: new Map(),
  merge: (a, b) => {
    if (b.size === 0) return a;
    const out = new Map(a);
    for (const [k, e] of b) out.set(k, e);
    return out.size === a.size ? a : out;
  },
  leq: (a, b) => [...a.keys()].every((k) => b.has(k)),
  equals: (a, b) => a.size === b.size && [...a.keys()].every((k) => b.has(k)),
  encode: (log) => new TextEncoder().encode(JSON.stringify([...log.values()].map((e) => [e.replica, e.seq, [...e.deps]]))),
  decode: (bytes) =>
    decodeWith(bytes, (r) => {
      const raw = JSON.parse(new TextDecoder().decode(r.raw(r.remaining))) as Array<[ReplicaId, number, Array<[ReplicaId, number]>]>;
      return new Map(raw.map(([replica, seq, deps]) => [key(replica, seq), { replica, seq, deps: new Map(deps) }]));
    }),
  seen: seenOf,
  missing: (log, seen) => new Map([...log].filter(([, e]) => e.seq > (seen.get(e.replica) ?? 0))),
};

/** Delta mutator: a new event by `replica`, depending on everything `log` has seen. */
export function append(log: Log, replica: ReplicaId): Log {
  const seen = seenOf(log);
  const seq = (seen.get(replica) ?? 0) + 1;
  return new Map([[key(replica, seq), { replica, seq, deps: seen }]]);
}

/** Whether every visible event's causes are visible too. */
export function causallyClosed(log: Log): boolean {
  const seen = seenOf(log);
  return [...log.values()].every((e) => countsLeq(e.deps, seen) && e.seq <= (seen.get(e.replica) ?? 0));
}
