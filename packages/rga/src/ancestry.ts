import type { ReplicaId } from '@convergent/core';
import { greater, type Piece } from './rga.js';

/**
 * @internal The ancestors of the last element of a list walked in order.
 *
 * Origins form a tree, and RGA order is its pre-order walk with siblings newest first.
 * So while the runs of a list are walked in order, the origin of the next run is
 * always an ancestor of the last element (or that element itself), and the next run
 * must be older than the sibling walked before it. This lets the codec name an origin
 * by its place on the chain (a few entries up, a few elements back) and lets decoders
 * check the whole order in one pass.
 *
 * Entry 0 is the head of the list; entry i in 1..depth is a run, of which the elements
 * up to `tipOf[i]` are ancestors. `lastR`/`lastC` hold the child of each entry's tip
 * that the walk visited last (null/0 when none). Arrays are reused past `depth`.
 */
export class Ancestry {
  /** Entries above the head. */
  depth = 0;
  private chain: Array<Piece | null> = [null];
  private tipOf: number[] = [0];
  private lastR: Array<ReplicaId | null> = [null];
  private lastC: number[] = [0];
  /** Where {@link place} found the origin: entries up, then elements back. */
  entries = 0;
  back = 0;

  /** The replica of the current tip (null: the head). */
  get tipR(): ReplicaId | null {
    return this.chain[this.depth]?.r ?? null;
  }

  /** The counter of the current tip (0: the head). */
  get tipC(): number {
    const run = this.chain[this.depth];
    return run ? run.c + this.tipOf[this.depth]! : 0;
  }

  /**
   * Moves the tip `entries` entries up and then `back` elements back along its run.
   * Returns false when that is not an ancestor.
   */
  up(entries: number, back: number): boolean {
    const top = this.depth - entries;
    if (top < 0 || back > this.tipOf[top]!) return false;
    if (entries > 0) {
      const child = this.chain[top + 1]!;
      this.lastR[top] = child.r;
      this.lastC[top] = child.c;
      this.depth = top;
    }
    if (back > 0) {
      const run = this.chain[top]!;
      this.lastR[top] = run.r;
      this.lastC[top] = run.c + (this.tipOf[top]! -= back) + 1;
    }
    return true;
  }

  /**
   * Finds `(r, c)` on the chain (`r === null`: the head), setting {@link entries} and
   * {@link back} for {@link up}; false when it is not an ancestor.
   */
  locate(r: ReplicaId | null, c: number): boolean {
    for (let i = this.depth; i >= 0; i--) {
      const run = this.chain[i]!;
      if (run === null ? r === null : run.r === r && c >= run.c && c <= run.c + this.tipOf[i]!) {
        this.entries = this.depth - i;
        this.back = run === null ? 0 : run.c + this.tipOf[i]! - c;
        return true;
      }
    }
    return false;
  }

  /**
   * Moves to a run's origin and appends the run (see {@link locate} for where the
   * origin was); false when that is not RGA order.
   */
  place(run: Piece): boolean {
    return this.locate(run.or, run.oc) && this.up(this.entries, this.back) && this.append(run);
  }

  /**
   * Appends a run whose origin is the tip. Returns false when it is not older than
   * the sibling walked before it (not RGA order).
   */
  append(run: Piece): boolean {
    const top = this.depth;
    const lastR = this.lastR[top]!;
    if (lastR !== null && !greater(this.lastC[top]!, lastR, run.c, run.r)) return false;
    const i = (this.depth = top + 1);
    this.chain[i] = run;
    this.tipOf[i] = run.n - 1;
    this.lastR[i] = null;
    this.lastC[i] = 0;
    return true;
  }
}
