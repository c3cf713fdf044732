// The built package mangles internal property names to fit its size budget. This runs
// one scenario through the build and through the source, and requires the same public
// results, so that a mangled public name (a returned field, a JSON key) cannot ship.
// It needs `pnpm build` first, which `pnpm check` runs before the tests.
import { asReplicaId } from '@convergent/core';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import * as source from '../src/index.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function scenario(RGA: typeof source): unknown {
  const [a, b] = [asReplicaId('a'), asReplicaId('b')];
  let doc = RGA.merge(RGA.bottom, RGA.insertText(RGA.bottom, a, 0, 'hello world'));
  doc = RGA.merge(doc, RGA.deleteText(doc, a, 0, 1));
  const other = RGA.merge(RGA.bottom, RGA.insertAt(RGA.bottom, b, 0, [1, { k: [true] }]));
  const edited = RGA.edit(RGA.merge(doc, other), a, (e) => {
    e.insertText(0, 'H');
    e.deleteAt(e.length - 1);
    e.insertAt(e.length, [null]);
  });
  const id = RGA.idAt(edited.state, 3);
  // The identity functions return fields of their own.
  const cut = RGA.deleteText(edited.state, a, 1, 3);
  const effect = RGA.effectOf(edited.state, cut);
  const cutState = RGA.merge(edited.state, cut);
  const restored = RGA.reinsert(cutState, a, effect.deleted);
  return {
    effect,
    restored: { keys: Object.keys(restored).sort(), inserted: restored.inserted, delta: RGA.toJSON(restored.delta) },
    caret: [RGA.caretAfter(cutState, effect.deleted[0]!.id), RGA.caretAfterUtf16(cutState, effect.deleted[0]!.id)],
    keys: Object.keys(edited).sort(),
    array: RGA.toArray(edited.state),
    json: RGA.toJSON(edited.state),
    delta: RGA.toJSON(edited.delta),
    bytes: Array.from(RGA.encode(RGA.decode(RGA.encode(edited.state)))),
    id,
    index: RGA.indexOf(edited.state, id),
    equal: RGA.equals(RGA.fromJSON(RGA.toJSON(edited.state)), edited.state),
  };
}

test.skipIf(!existsSync(dist))('the built package gives the same public results as the source', async () => {
  const built = (await import(dist)) as typeof source;
  expect(scenario(built)).toEqual(scenario(source));
  expect(Object.keys(built).sort()).toEqual(Object.keys(source).sort());
});
