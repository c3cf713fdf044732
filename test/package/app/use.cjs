// Runs in the scratch app on the packed packages as npm installed them, loaded with `require`.
const assert = require('node:assert/strict');
const { asReplicaId, DecodeError, ConvergentError } = require('@convergent/core');
const ORSet = require('@convergent/or-set');

async function main() {
  // Add wins: b removes what it saw while a adds the same element again.
  const [a, b] = [asReplicaId('a'), asReplicaId('b')];
  const added = ORSet.merge(ORSet.bottom, ORSet.add(ORSet.bottom, a, 'milk'));
  const removedOnB = ORSet.merge(added, ORSet.remove(added, b, 'milk'));
  const addedAgainOnA = ORSet.merge(added, ORSet.add(added, a, 'milk'));
  assert.equal(ORSet.has(removedOnB, 'milk'), false);
  assert.equal(ORSet.has(ORSet.merge(removedOnB, addedAgainOnA), 'milk'), true);
  assert.ok(ORSet.equals(ORSet.merge(removedOnB, addedAgainOnA), ORSet.merge(addedAgainOnA, removedOnB)));

  // The ESM build reads the CommonJS build's bytes, and its errors are DecodeErrors here.
  const esm = await import('@convergent/or-set');
  const both = ORSet.merge(removedOnB, addedAgainOnA);
  assert.ok(ORSet.equals(esm.decode(ORSet.encode(both)), both));
  const esmCore = await import('@convergent/core');
  assert.notEqual(esmCore.DecodeError, DecodeError);
  assert.throws(() => esm.decode(new Uint8Array([0xff])), (error) => error instanceof DecodeError && error instanceof ConvergentError);

  console.log('CJS: OR-Set add wins, ESM DecodeError instanceof the CommonJS class');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
