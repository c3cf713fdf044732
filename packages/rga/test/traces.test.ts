// Replays real editing traces (test/traces at the repository's top) through the
// text API, on one replica and split across two replicas exchanging deltas.
import { asReplicaId, type ReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as RGA from '../src/index.js';
import { loadTrace, type Trace } from '../../../test/traces/load.js';


/** Applies one txn's patches on `doc` as `replica`; returns the new state and the txn's deltas. */
function applyTxn(doc: RGA.RGA, replica: ReplicaId, patches: Trace['txns'][number]['patches'], deltas: RGA.RGA[]): RGA.RGA {
  for (const [pos, del, ins] of patches) {
    if (del > 0) {
      const delta = RGA.deleteText(doc, replica, pos, del);
      doc = RGA.merge(doc, delta);
      deltas.push(delta);
    }
    if (ins !== '') {
      const delta = RGA.insertText(doc, replica, pos, ins);
      doc = RGA.merge(doc, delta);
      deltas.push(delta);
    }
  }
  return doc;
}

describe.each(['automerge-paper', 'seph-blog1'] as const)('trace %s', (name) => {
  const trace = loadTrace(name);

  test('replayed on one replica gives exactly endContent, and survives the codecs', () => {
    const alice = asReplicaId('alice');
    let doc = RGA.bottom;
    const scratch: RGA.RGA[] = [];
    for (const txn of trace.txns) {
      doc = applyTxn(doc, alice, txn.patches, scratch);
      scratch.length = 0;
    }
    expect(RGA.text(doc)).toBe(trace.endContent);
    expect(RGA.length(doc)).toBe([...trace.endContent].length);
    const back = RGA.decode(RGA.encode(doc));
    expect(RGA.text(back)).toBe(trace.endContent);
    expect(RGA.equals(back, doc)).toBe(true);
    expect(RGA.equals(RGA.fromJSON(JSON.parse(JSON.stringify(RGA.toJSON(doc)))), doc)).toBe(true);
  });

  test('replayed in one batch (edit) gives the same state as edit by edit, and a delta that carries it', () => {
    const alice = asReplicaId('alice');
    let doc = RGA.bottom;
    const scratch: RGA.RGA[] = [];
    for (const txn of trace.txns) doc = applyTxn(doc, alice, txn.patches, scratch);
    const { state, delta } = RGA.edit(RGA.bottom, alice, (e) => {
      for (const txn of trace.txns)
        for (const [pos, del, ins] of txn.patches) {
          if (del > 0) e.deleteText(pos, del);
          if (ins !== '') e.insertText(pos, ins);
        }
    });
    expect(RGA.text(state)).toBe(trace.endContent);
    expect(RGA.equals(state, doc)).toBe(true);
    expect(RGA.equals(delta, doc)).toBe(true);
  });

  test('split across two replicas exchanging deltas every 100 txns converges to endContent', () => {
    const ids = [asReplicaId('alice'), asReplicaId('bob')] as const;
    const docs: RGA.RGA[] = [RGA.bottom, RGA.bottom];
    for (let block = 0, start = 0; start < trace.txns.length; block++, start += 100) {
      // Replicas take turns typing a block of 100 txns, then send what they typed.
      const typist = block % 2;
      const deltas: RGA.RGA[] = [];
      for (const txn of trace.txns.slice(start, start + 100)) docs[typist] = applyTxn(docs[typist]!, ids[typist]!, txn.patches, deltas);
      const other = 1 - typist;
      if (block % 3 === 0) {
        // One combined delta.
        docs[other] = RGA.merge(docs[other]!, deltas.reduce(RGA.merge, RGA.bottom));
      } else if (block % 3 === 1) {
        // Each delta, newest first: all but the last wait invisibly for their predecessor.
        for (const delta of deltas.reverse()) docs[other] = RGA.merge(docs[other]!, delta);
      } else {
        // Each delta, in order, twice.
        for (const delta of [...deltas, ...deltas]) docs[other] = RGA.merge(docs[other]!, delta);
      }
      if (block % 25 === 0) expect(RGA.text(docs[other]!)).toBe(RGA.text(docs[typist]!));
    }
    expect(RGA.text(docs[0]!)).toBe(trace.endContent);
    expect(RGA.text(docs[1]!)).toBe(trace.endContent);
    expect(RGA.equals(docs[0]!, docs[1]!)).toBe(true);
    // Merging whole states (no deltas) converges too.
    expect(RGA.equals(RGA.merge(docs[0]!, docs[1]!), docs[0]!)).toBe(true);
  });

  test('a late joiner converges to endContent from one delta per txn delivered in any order', () => {
    // The same session, each txn one edit() delta; then a replica that saw nothing merges
    // them in causal order and in a seeded shuffle (most wait for their origin a long while).
    const ids = [asReplicaId('alice'), asReplicaId('bob')] as const;
    const docs: RGA.RGA[] = [RGA.bottom, RGA.bottom];
    const deltas: RGA.RGA[] = [];
    for (let block = 0, start = 0; start < trace.txns.length; block++, start += 100) {
      const typist = block % 2;
      const sent = trace.txns.slice(start, start + 100).map((txn) => {
        const { state, delta } = RGA.edit(docs[typist]!, ids[typist]!, (e) => {
          for (const [pos, del, ins] of txn.patches) {
            if (del > 0) e.deleteText(pos, del);
            if (ins !== '') e.insertText(pos, ins);
          }
        });
        docs[typist] = state;
        return delta;
      });
      for (const delta of sent) docs[1 - typist] = RGA.merge(docs[1 - typist]!, delta);
      deltas.push(...sent);
    }
    const causal = deltas.reduce(RGA.merge, RGA.bottom);
    expect(RGA.text(causal)).toBe(trace.endContent);
    let seed = 12;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = deltas.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [deltas[i], deltas[j]] = [deltas[j]!, deltas[i]!];
    }
    const shuffled = deltas.reduce(RGA.merge, RGA.bottom);
    expect(RGA.text(shuffled)).toBe(trace.endContent);
    expect(RGA.equals(shuffled, causal)).toBe(true);
    expect(RGA.equals(RGA.decode(RGA.encode(shuffled)), causal)).toBe(true);
  });
});
