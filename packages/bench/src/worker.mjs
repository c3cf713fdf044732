// One measurement in a fresh process: node --expose-gc worker.mjs <library> <trace> <phase> <dir>
// phase "apply": replay (timed), check the text, write the encoding, heap after GC.
// phase "load": decode the bytes and read the text (timed). phase "merge": an empty
// replica merges the bytes (timed).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync, gunzipSync } from 'node:zlib';
import { libraries } from './libs.mjs';

const [library, traceName, phase, dir, traces] = process.argv.slice(2);
const trace = JSON.parse(gunzipSync(readFileSync(path.join(traces, `${traceName}.json.gz`))).toString('utf8'));
const adapter = await libraries[library]();
const bin = path.join(dir, `${library}-${traceName}.bin`);
// Collect until external memory (freed asynchronously) settles.
const gc = async () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
const memory = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const result = { library, trace: traceName, phase };

if (phase === 'apply') {
  const patches = [];
  for (const txn of trace.txns) for (const p of txn.patches) patches.push(p);
  await gc();
  const before = memory();
  const t0 = performance.now();
  let h = adapter.create();
  if (adapter.applyAll) adapter.applyAll(h, patches);
  else
    for (let i = 0; i < patches.length; i++) {
      const p = patches[i];
      adapter.apply(h, p[0], p[1], p[2]);
    }
  result.ms = performance.now() - t0;
  if (adapter.text(h) !== trace.endContent) throw new Error(`${library}: wrong final text`);
  let bytes = adapter.encode(h);
  result.bytes = bytes.length;
  // What a transport or store that compresses (DEFLATE, zlib's default level) would carry.
  result.deflated = deflateRawSync(bytes).length;
  writeFileSync(bin, bytes);
  bytes = null;
  await gc();
  result.heap = memory() - before;
  // Keep the document alive until after the measurement.
  // (and the patches, which were alive at the first measurement).
  if (adapter.text(h).length !== trace.endContent.length || patches.length === 0) throw new Error('unreachable');
} else {
  const bytes = new Uint8Array(readFileSync(bin));
  const expected = trace.endContent;
  if (phase === 'load') {
    const t0 = performance.now();
    const h = adapter.load(bytes);
    const text = adapter.text(h);
    result.ms = performance.now() - t0;
    if (text !== expected) throw new Error(`${library}: wrong text after load`);
  } else {
    if (!adapter.merge) throw new Error(`${library}: no merge`);
    const t0 = performance.now();
    const h = adapter.merge(bytes);
    result.ms = performance.now() - t0;
    if (adapter.text(h) !== expected) throw new Error(`${library}: wrong text after merge`);
  }
}
process.stdout.write(JSON.stringify(result) + '\n');
