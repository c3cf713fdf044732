import type { Reader, Writer } from './codec.js';
import { DecodeError } from './errors.js';
import { jsonArray } from './json-input.js';
import { replicaIdProblem, type ReplicaId } from './replica-id.js';

/**
 * A count per replica, with absent replicas at zero: the state of a G-Counter and
 * of a version vector. Never holds a zero entry.
 *
 * @example
 * ```ts
 * import { asReplicaId, type Counts } from '@convergent/core';
 *
 * const counts: Counts = new Map([[asReplicaId('a'), 3]]);
 * counts.get(asReplicaId('a')); // => 3
 * ```
 */
export type Counts = ReadonlyMap<ReplicaId, number>;

/**
 * Pointwise maximum of two {@link Counts}: their join.
 *
 * @param a - one map
 * @param b - another
 * @returns the join; `a` or `b` itself when it already dominates
 *
 * @example
 * ```ts
 * import { asReplicaId, mergeCounts } from '@convergent/core';
 *
 * const [x, y] = [asReplicaId('x'), asReplicaId('y')];
 * const merged = mergeCounts(new Map([[x, 2]]), new Map([[x, 1], [y, 1]]));
 * [...merged]; // => [['x', 2], ['y', 1]]
 * ```
 */
export function mergeCounts(a: Counts, b: Counts): Counts {
  if (countsLeq(b, a)) return a;
  if (countsLeq(a, b)) return b;
  const out = new Map(a);
  for (const [id, n] of b) if (n > (out.get(id) ?? 0)) out.set(id, n);
  return out;
}

/**
 * Whether every count in `a` is at most the same replica's count in `b`.
 *
 * @param a - one map
 * @param b - another
 * @returns `true` when `b` dominates or equals `a`
 *
 * @example
 * ```ts
 * import { asReplicaId, countsLeq } from '@convergent/core';
 *
 * const x = asReplicaId('x');
 * countsLeq(new Map([[x, 1]]), new Map([[x, 2]])); // => true
 * countsLeq(new Map([[x, 3]]), new Map()); // => false
 * ```
 */
export function countsLeq(a: Counts, b: Counts): boolean {
  for (const [id, n] of a) if (n > (b.get(id) ?? 0)) return false;
  return true;
}

/**
 * Whether two {@link Counts} hold the same counts.
 *
 * @param a - one map
 * @param b - another
 * @returns `true` when equal
 *
 * @example
 * ```ts
 * import { asReplicaId, countsEqual } from '@convergent/core';
 *
 * const x = asReplicaId('x');
 * countsEqual(new Map([[x, 1]]), new Map([[x, 1]])); // => true
 * countsEqual(new Map([[x, 1]]), new Map([[x, 2]])); // => false
 * ```
 */
export function countsEqual(a: Counts, b: Counts): boolean {
  return a.size === b.size && countsLeq(a, b) && countsLeq(b, a);
}

/**
 * Writes {@link Counts} canonically: the number of entries, then each id and count,
 * ids in ascending order, zero counts left out.
 *
 * @param writer - where to write
 * @param counts - the counts
 *
 * @example
 * ```ts
 * import { asReplicaId, readCounts, writeCounts, Reader, Writer } from '@convergent/core';
 *
 * const w = new Writer();
 * writeCounts(w, new Map([[asReplicaId('b'), 2], [asReplicaId('a'), 1]]));
 * [...readCounts(new Reader(w.finish()))]; // => [['a', 1], ['b', 2]]
 * ```
 */
export function writeCounts(writer: Writer, counts: Counts): void {
  const entries = countsToJSON(counts);
  writer.uint(entries.length);
  for (const [id, n] of entries) writer.string(id).uint(n);
}

// The one form both decoders accept, so that every state has exactly one encoding:
// valid ids in strictly ascending order, each with a positive safe integer count.
// `fail` reports a fault at the entry's position: a byte offset or a JSON path.
function canonicalCounts<At>(
  entries: ReadonlyArray<readonly [id: unknown, count: unknown, at: At]>,
  fail: (message: string, at: At) => never,
): Map<ReplicaId, number> {
  const out = new Map<ReplicaId, number>();
  let previous = '';
  for (const [id, count, at] of entries) {
    const problem = replicaIdProblem(id);
    if (problem) fail(problem, at);
    if (!Number.isSafeInteger(count) || !((count as number) > 0)) fail('expected a positive count', at);
    if (!((id as string) > previous)) fail('ids out of order', at);
    out.set(id as ReplicaId, count as number);
    previous = id as string;
  }
  return out;
}

/**
 * Reads what {@link writeCounts} wrote, rejecting zero counts, duplicate ids and ids
 * out of order (so every state has exactly one encoding).
 *
 * @param reader - where to read
 * @returns the counts
 *
 * @example
 * ```ts
 * import { readCounts, Reader } from '@convergent/core';
 *
 * readCounts(new Reader(new Uint8Array([0]))).size; // => 0
 * ```
 */
export function readCounts(reader: Reader): Map<ReplicaId, number> {
  const entries: Array<[string, number, number]> = [];
  for (let n = reader.count(Infinity, 3); n > 0; n--) {
    const at = reader.offset;
    entries.push([reader.string(256), reader.uint(), at]);
  }
  return canonicalCounts(entries, (message, at) => reader.fail(message, at));
}

/**
 * {@link Counts} as JSON: `[[id, count], …]` in ascending id order.
 *
 * @param counts - the counts
 * @returns a JSON-compatible array
 *
 * @example
 * ```ts
 * import { asReplicaId, countsToJSON } from '@convergent/core';
 *
 * countsToJSON(new Map([[asReplicaId('b'), 2], [asReplicaId('a'), 1]])); // => [['a', 1], ['b', 2]]
 * ```
 */
export function countsToJSON(counts: Counts): Array<[string, number]> {
  // Zero counts never occur in a valid state; leaving them out keeps the output canonical anyway.
  return [...counts].filter(([, n]) => n > 0).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0));
}

/**
 * Reads what {@link countsToJSON} produced, validating every entry.
 *
 * @param json - untrusted parsed JSON
 * @param path - where it is, for error messages
 * @returns the counts
 *
 * @example
 * ```ts
 * import { countsFromJSON } from '@convergent/core';
 *
 * countsFromJSON([['a', 1]], '$').size; // => 1
 * ```
 */
export function countsFromJSON(json: unknown, path: string): Map<ReplicaId, number> {
  const entries = jsonArray(json, path).map((entry, i) => {
    const at = `${path}[${i}]`;
    // At most two items; a missing one fails the checks as `undefined`.
    const [id, count] = jsonArray(entry, at, 2);
    return [id, count, at] as const;
  });
  return canonicalCounts(entries, (message, at) => {
    throw new DecodeError(message, { path: at });
  });
}
