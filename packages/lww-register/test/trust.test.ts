import { asReplicaId, MergeRejectedError } from '@convergent/core';
import * as HLC from '@convergent/hlc';
import { describe, expect, test } from 'vitest';
import * as LWWRegister from '../src/index.js';

const NOW = 1_700_000_000_000;
const me = asReplicaId('me');
const clock = () => new HLC.Clock(me, { wallClock: () => NOW });
const validate = LWWRegister.validateMergeWith({ wallClock: () => NOW });
// What an attacker sends: raw JSON with a timestamp of its choosing.
const forged = (wall: number, logical = 0) =>
  LWWRegister.fromJSON({ timestamp: { wall, logical, replica: 'evil' }, value: 'EVIL' });

/** The receiver's check refuses `delta` with the typed error, and `state` is as it was. */
function refused(state: LWWRegister.LWWRegister, delta: LWWRegister.LWWRegister): void {
  const before = LWWRegister.encode(state);
  expect(() => validate(state, delta)).toThrow(MergeRejectedError);
  expect(LWWRegister.encode(state)).toEqual(before);
}

describe('validateMerge refuses timestamps the next local write could not follow', () => {
  const state = LWWRegister.set(LWWRegister.bottom, clock(), 'mine');

  test('a timestamp far in the future: merged anyway, every later set would throw', () => {
    const hostile = forged(NOW + 3_600_000);
    expect(() => LWWRegister.set(LWWRegister.merge(state, hostile), clock(), 'again')).toThrow(HLC.ClockDriftError);
    refused(state, hostile);
  });

  test('the very end of the range', () => {
    refused(state, forged(HLC.MAX_WALL, HLC.MAX_LOGICAL));
    refused(LWWRegister.bottom, forged(HLC.MAX_WALL));
  });

  test('within the drift, or losing the merge, is accepted', () => {
    validate(state, forged(NOW + HLC.DEFAULT_MAX_DRIFT));
    // A write older than the receiver's changes nothing.
    validate(forged(NOW + 10), LWWRegister.set(LWWRegister.bottom, clock(), 'older'));
    validate(state, LWWRegister.bottom);
  });

  test('the default check reads Date.now()', () => {
    const later = LWWRegister.fromJSON({ timestamp: { wall: Date.now() + 3_600_000, logical: 0, replica: 'evil' }, value: 1 });
    expect(() => LWWRegister.validateMerge(LWWRegister.bottom, later)).toThrow(MergeRejectedError);
    LWWRegister.validateMerge(LWWRegister.bottom, LWWRegister.set(LWWRegister.bottom, new HLC.Clock(me), 1));
  });
});

test('authors: the writer in the timestamp', () => {
  expect([...LWWRegister.authors(LWWRegister.set(LWWRegister.bottom, clock(), 1))]).toEqual(['me']);
  expect([...LWWRegister.authors(forged(5))]).toEqual(['evil']);
  expect(LWWRegister.authors(LWWRegister.bottom).size).toBe(0);
});
