// Runs in the scratch app on the packed packages as npm installed them, loaded with `import`.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { asReplicaId, ConvergentError, DecodeError } from '@convergent/core';
import * as GCounter from '@convergent/g-counter';

const require = createRequire(import.meta.url);

// Every package loads both ways, with the same named exports.
for (const name of JSON.parse(process.env.CONVERGENT_PACKAGES)) {
  const viaImport = Object.keys(await import(name)).filter((key) => key !== 'default').sort();
  assert.ok(viaImport.length > 0, name);
  assert.deepEqual(Object.keys(require(name)).sort(), viaImport, name);
}

// Three replicas count 10, 7 and 8, exchange states in two different orders, and agree on 25.
const [a, b, c] = ['a', 'b', 'c'].map(asReplicaId);
const [onA, onB, onC] = [[a, 10], [b, 7], [c, 8]].map(([id, n]) => GCounter.merge(GCounter.bottom, GCounter.increment(GCounter.bottom, id, n)));
const one = GCounter.merge(GCounter.merge(onA, onB), onC);
const other = GCounter.merge(onC, GCounter.merge(onB, GCounter.merge(onA, onA)));
assert.equal(GCounter.value(one), 25);
assert.ok(GCounter.equals(one, other));

// The CommonJS build reads the ESM build's bytes, and its errors are DecodeErrors here.
const cjs = require('@convergent/g-counter');
assert.equal(cjs.value(cjs.decode(GCounter.encode(one))), 25);
const cjsCore = require('@convergent/core');
assert.notEqual(cjsCore.DecodeError, DecodeError); // two classes: the dual-package hazard is real
assert.throws(() => cjs.decode(new Uint8Array([0xff])), (error) => error instanceof DecodeError && error instanceof ConvergentError);
assert.throws(() => cjsCore.asReplicaId(''), (error) => error instanceof ConvergentError && !(error instanceof DecodeError));

console.log('ESM: G-Counter merge 25, CommonJS DecodeError instanceof the ESM class');
