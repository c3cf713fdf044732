// Which element identities a sequence holds, as bits by replica and counter (in blocks
// of 1,024 counters, so memory follows the identities, not the clock). A merge looks an
// identity up before searching the chunks for it: a search for an element that is not
// there would read every chunk whose counter range covers it, and out-of-order delivery
// or a merge of unrelated states asks for such elements all the time.
//
// A cache shared by a state and every state derived from it. Elements never leave a
// sequence, so an index that also holds a derived state's elements still holds every
// element of this one: "absent" is always exact, "present" a reason to search.
import type { ReplicaId } from '@convergent/core';

/** @internal */
export class Ids {
  private readonly bits = new Map<ReplicaId, Map<number, Int32Array>>();

  /** Marks elements `(r, c .. c+n-1)` present. */
  add(r: ReplicaId, c: number, n: number): void {
    let blocks = this.bits.get(r);
    if (blocks === undefined) this.bits.set(r, (blocks = new Map()));
    for (let i = c; i < c + n; i++) {
      let block = blocks.get(i >>> 10);
      if (block === undefined) blocks.set(i >>> 10, (block = new Int32Array(32)));
      block[(i >>> 5) & 31]! |= 1 << (i & 31);
    }
  }

  /** Whether element (r, c) may be present (it is absent when not). */
  has(r: ReplicaId, c: number): boolean {
    const block = this.bits.get(r)?.get(c >>> 10);
    return block !== undefined && (block[(c >>> 5) & 31]! & (1 << (c & 31))) !== 0;
  }
}
