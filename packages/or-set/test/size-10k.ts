// Encoded size of an OR-Set holding 10,000 live string elements added on 3 replicas
// (each replica adds a third of them, then all three merge).
// Run from the repository root: npx tsx --conditions=@convergent/source packages/or-set/test/size-10k.ts
import { asReplicaId } from '@convergent/core';
import * as ORSet from '../src/index.js';

const replicas = ['replica-1', 'replica-2', 'replica-3'].map(asReplicaId);
const started = performance.now();
const states = replicas.map((replica, r) => {
  let state = ORSet.bottom;
  for (let i = r; i < 10_000; i += replicas.length) state = ORSet.merge(state, ORSet.add(state, replica, `item-${i}`));
  return state;
});
const merged = states.reduce(ORSet.merge, ORSet.bottom);
const bytes = ORSet.encode(merged);
const json = JSON.stringify(ORSet.toJSON(merged));
const elementBytes = ORSet.elements(merged).reduce<number>((n, e) => n + JSON.stringify(e).length, 0);
console.log(`elements: ${ORSet.size(merged)}`);
console.log(`binary:   ${bytes.length} bytes (${(bytes.length / ORSet.size(merged)).toFixed(1)} per element; the canonical keys alone are ${elementBytes} bytes)`);
console.log(`JSON:     ${json.length} bytes`);
console.log(`round trip: ${ORSet.equals(ORSet.decode(bytes), merged)}; ${(performance.now() - started).toFixed(0)} ms`);
