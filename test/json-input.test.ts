import { asReplicaId, DecodeError } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';
import * as GSet from '@convergent/g-set';
import * as HLC from '@convergent/hlc';
import * as LWWRegister from '@convergent/lww-register';
import * as MVRegister from '@convergent/mv-register';
import * as ORSet from '@convergent/or-set';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import * as TwoPhaseSet from '@convergent/two-phase-set';
import * as VersionVector from '@convergent/version-vector';
import { DotContext } from '@convergent/version-vector';
import { describe, expect, test } from 'vitest';

const a = asReplicaId('a');
const clock = new HLC.Clock(a, { wallClock: () => 1000 });
const context = DotContext.fromDots([{ replica: a, counter: 1 }, { replica: a, counter: 3 }]);

// One non-trivial state of every type, as [fromJSON, its JSON].
const documents: Record<string, [(json: unknown) => unknown, unknown]> = {
  'G-Counter': [GCounter.fromJSON, GCounter.toJSON(GCounter.increment(GCounter.bottom, a, 2))],
  'PN-Counter': [PNCounter.fromJSON, PNCounter.toJSON(PNCounter.decrement(PNCounter.bottom, a, 2))],
  'G-Set': [GSet.fromJSON, GSet.toJSON(GSet.add(GSet.bottom, a, { kind: 'user data keeps its keys' }))],
  '2P-Set': [TwoPhaseSet.fromJSON, TwoPhaseSet.toJSON(TwoPhaseSet.add(TwoPhaseSet.bottom, a, 'x'))],
  'LWW-Register': [LWWRegister.fromJSON, LWWRegister.toJSON(LWWRegister.set(LWWRegister.bottom, clock, { k: 1 }))],
  'MV-Register': [MVRegister.fromJSON, MVRegister.toJSON(MVRegister.set(MVRegister.bottom, a, 'x'))],
  'OR-Set': [ORSet.fromJSON, ORSet.toJSON(ORSet.add(ORSet.bottom, a, 'x'))],
  RGA: [RGA.fromJSON, RGA.toJSON(RGA.insertText(RGA.bottom, a, 0, 'hi'))],
  'HLC timestamp': [HLC.fromJSON, HLC.toJSON(clock.now())],
  VersionVector: [VersionVector.fromJSON, VersionVector.toJSON(VersionVector.increment(VersionVector.bottom, a))],
  DotContext: [DotContext.fromJSON, DotContext.toJSON(context)],
};

// The paths of the format's own objects (not the user's JSON values inside them).
const formatObjects = (json: unknown, path = '$'): string[] => {
  if (json === null || typeof json !== 'object') return [];
  const own = Array.isArray(json) ? [] : [path];
  return own.concat(
    Object.entries(json).flatMap(([key, child]) =>
      key === 'value' || key === 'elements' ? [] : formatObjects(child, Array.isArray(json) ? `${path}[${key}]` : `${path}.${key}`),
    ),
  );
};

const withKey = (json: unknown, path: string, key: string): unknown => {
  const copy = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
  const steps = [...path.matchAll(/\.(\w+)|\[(\d+)\]/g)].map((m) => m[1] ?? Number(m[2]));
  const target = steps.reduce<Record<string | number, unknown>>((node, step) => node[step] as Record<string, unknown>, copy);
  Object.defineProperty(target, key, { value: 1, enumerable: true, configurable: true, writable: true });
  return copy;
};

describe('regression: fromJSON ignored unknown keys', () => {
  for (const [name, [fromJSON, json]] of Object.entries(documents))
    test(name, () => {
      expect(() => fromJSON(JSON.parse(JSON.stringify(json)))).not.toThrow();
      const objects = formatObjects(json);
      expect(objects.length).toBeGreaterThan(0);
      for (const path of objects)
        for (const key of ['extra', '__proto__']) {
          let error: unknown;
          try {
            fromJSON(withKey(json, path, key));
          } catch (e) {
            error = e;
          }
          expect(error, `${name}: "${key}" at ${path}`).toBeInstanceOf(DecodeError);
          expect((error as DecodeError).message).toContain(`unknown key "${key}"`);
          expect((error as DecodeError).path).toBe(path);
        }
    });
});
