// Each type module, imported as a namespace, is a SyncAdapter with the members the sync
// layer uses against hostile peers: decode(bytes, limits), authors, validateMerge.
import { DEFAULT_LIMITS } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import * as GSet from '@convergent/g-set';
import * as LWWRegister from '@convergent/lww-register';
import * as MVRegister from '@convergent/mv-register';
import * as NestedText from '@convergent/nested-text';
import * as ORList from '@convergent/or-list';
import * as ORMap from '@convergent/or-map';
import * as ORSet from '@convergent/or-set';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import * as Struct from '@convergent/struct';
import type { SyncAdapter } from '@convergent/sync';
import * as TwoPhaseSet from '@convergent/two-phase-set';
import { expect, test } from 'vitest';

// The map types are made by factories; the module a factory returns is the adapter.
const Cart = ORMap.of(ORMap.counter);
const Todo = Struct.of({ title: ORMap.register, tags: ORMap.set, sub: ORMap.of(ORMap.set) });
const Board = ORList.of(Struct.of({ title: ORMap.register, notes: NestedText.kind }));

// Checked by the compiler: a module that lost a member or changed a signature fails typecheck.
const adapters: Array<[string, SyncAdapter<any>, { validates: boolean }]> = [
  ['G-Counter', GCounter satisfies SyncAdapter<GCounter.GCounter>, { validates: true }],
  ['PN-Counter', PNCounter satisfies SyncAdapter<PNCounter.PNCounter>, { validates: true }],
  ['G-Set', GSet satisfies SyncAdapter<GSet.GSet>, { validates: false }],
  ['2P-Set', TwoPhaseSet satisfies SyncAdapter<TwoPhaseSet.TwoPhaseSet>, { validates: false }],
  ['OR-Set', ORSet satisfies SyncAdapter<ORSet.ORSet>, { validates: true }],
  ['LWW-Register', LWWRegister satisfies SyncAdapter<LWWRegister.LWWRegister>, { validates: true }],
  ['MV-Register', MVRegister satisfies SyncAdapter<MVRegister.MVRegister>, { validates: true }],
  ['RGA', RGA satisfies SyncAdapter<RGA.RGA>, { validates: true }],
  ['OR-Map', Cart satisfies SyncAdapter<typeof Cart.bottom>, { validates: true }],
  ['Struct', Todo satisfies SyncAdapter<typeof Todo.bottom>, { validates: true }],
  ['OR-List (of structs with text)', Board satisfies SyncAdapter<typeof Board.bottom>, { validates: true }],
];

test.each(adapters)('%s provides authors, validateMerge where something can overflow, and a bounded decode', (_name, T, { validates }) => {
  expect(typeof T.authors).toBe('function');
  expect([...T.authors!(T.bottom)]).toEqual([]);
  expect(typeof T.validateMerge).toBe(validates ? 'function' : 'undefined');
  T.validateMerge?.(T.bottom, T.bottom);
  expect(T.equals(T.decode(T.encode(T.bottom), { ...DEFAULT_LIMITS, maxCount: 1 }), T.bottom)).toBe(true);
});
