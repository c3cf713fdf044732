// Test-only trust capabilities for the attack tests, used ONLY where the type module
// does not export its own yet: `authors`, `validateMerge` and decode limits land in the
// type packages from another branch (type-trust). Once a module exports `authors`, its
// own `authors`, `validateMerge` and `decode` take over and these fallbacks go unused.
import { DecodeError, MergeRejectedError, type DecodeLimits, type ReplicaId } from '@convergent/core';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import type { SyncAdapter } from '../../src/index.js';

function withTrust<S>(module: SyncAdapter<S>, authors: (delta: S) => ReplicaId[], validateMerge: (state: S, delta: S) => void): SyncAdapter<S> {
  if (module.authors) return module;
  return {
    ...module,
    authors,
    validateMerge,
    decode: (bytes: Uint8Array, limits?: DecodeLimits) => {
      const state = module.decode(bytes, limits);
      if (limits && new Set(authors(state)).size > limits.maxCount) throw new DecodeError(`payload names more than ${limits.maxCount} replicas`, { offset: 0 });
      return state;
    },
  };
}

const sum = (counts: ReadonlyMap<ReplicaId, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/** PN-Counter: both sums must leave room for 2^32 more increments or decrements (a test-only margin). */
export const trustedPNCounter: SyncAdapter<PNCounter.PNCounter> = withTrust<PNCounter.PNCounter>(
  PNCounter,
  (delta) => [...new Set([...delta.increments.counts.keys(), ...delta.decrements.counts.keys()])],
  (state, delta) => {
    const merged = PNCounter.merge(state, delta);
    for (const side of [merged.increments.counts, merged.decrements.counts])
      if (sum(side) > Number.MAX_SAFE_INTEGER - 2 ** 32) throw new MergeRejectedError('counter sum would pass Number.MAX_SAFE_INTEGER');
  },
);

const runs = (delta: RGA.RGA) => {
  const json = RGA.toJSON(delta);
  return [...json.runs, ...json.pending];
};
const size = (content: RGA.RunJSON[3]) => (typeof content === 'number' ? content : content.length);

/** RGA: a delta's clock must stay a delta's size (and a margin) below MAX_SAFE_INTEGER. */
export const trustedRGA: SyncAdapter<RGA.RGA> = withTrust<RGA.RGA>(
  RGA,
  (delta) => [...new Set(runs(delta).map(([replica]) => replica as ReplicaId))],
  (_state, delta) => {
    const all = runs(delta);
    const top = Math.max(0, ...all.map(([, counter, , content]) => counter + size(content) - 1));
    const elements = all.reduce((n, [, , , content]) => n + size(content), 0);
    if (top > Number.MAX_SAFE_INTEGER - elements - 2 ** 20) throw new MergeRejectedError('RGA clock would come too close to Number.MAX_SAFE_INTEGER');
  },
);
