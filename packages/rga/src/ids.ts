// Which element identities a sequence holds, and in which chunk each was last seen: by
// replica and counter, in blocks of 1,024 counters (so memory follows the identities,
// not the clock). A merge looks an identity up before searching the chunks for it: a
// search for an element that is not there would read every chunk whose counter range
// covers it, and out-of-order delivery or a merge of unrelated states asks for such
// elements all the time; and a search for one that is there starts at its chunk, not
// wherever the last search ended.
//
// A cache shared by a state and every state derived from it. Elements never leave a
// sequence, so an index that also holds a derived state's elements still holds every
// element of this one: "absent" is always exact. The chunk is a hint (chunks are copied,
// split, and derived states place elements differently), kept as a one-byte tag of its
// serial to keep the index small: the search checks every chunk with that tag.
import type { ReplicaId } from '@convergent/core';

/** @internal */
export class Ids {
  private readonly blocks = new Map<ReplicaId, Map<number, Uint8Array>>();

  /** Marks elements `(r, c .. c+n-1)` present, in the chunk with serial `chunk`. */
  add(r: ReplicaId, c: number, n: number, chunk: number): void {
    let blocks = this.blocks.get(r);
    if (blocks === undefined) this.blocks.set(r, (blocks = new Map()));
    const t = tag(chunk);
    for (let i = c; i < c + n; ) {
      let block = blocks.get(i >>> 10);
      if (block === undefined) blocks.set(i >>> 10, (block = new Uint8Array(1024)));
      const end = Math.min(c + n, ((i >>> 10) + 1) << 10);
      block.fill(t, i & 1023, ((end - 1) & 1023) + 1);
      i = end;
    }
  }

  /** The tag of the chunk element (r, c) was last seen in: 0 when it is absent. */
  tagOf(r: ReplicaId, c: number): number {
    return this.blocks.get(r)?.get(c >>> 10)?.[c & 1023] ?? 0;
  }
}

/** @internal A chunk serial's tag: 1 to 255 (0 means absent). */
export function tag(serial: number): number {
  return (serial % 255) + 1;
}
