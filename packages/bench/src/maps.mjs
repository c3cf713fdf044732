// pnpm bench -- --section maps   (or: node --expose-gc packages/bench/src/maps.mjs [lib case])
// Maps of integers, one writer, keys k0, k1, ...: @convergent/or-map (values are
// MV-Registers: with one writer each holds the last write) against Yjs Y.Map, Loro
// LoroMap, json-joy objects and Automerge maps. Every (library, case) runs in a
// fresh process. One set is one update: for ours, the delta mutator and the merge
// of its delta into the state; Automerge makes one change per 1,000 sets.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const N = 100_000;
const cases = {
  overwrite: (h, lib) => {
    for (let i = 0; i < N; i++) lib.set(h, `k${i % 10}`, i);
  },
  wide: (h, lib) => {
    for (let i = 0; i < N; i++) lib.set(h, `k${i}`, i);
  },
  churn: (h, lib) => {
    for (let i = 0; i < N; i++) lib.set(h, `k${i}`, i);
    for (let i = 0; i < N - 10_000; i++) lib.delete(h, `k${i}`);
  },
};
const ops = { overwrite: N, wide: N, churn: 2 * N - 10_000 };

const libraries = {
  async 'or-map'() {
    const ORMap = await import('@convergent/or-map');
    const MVRegister = await import('@convergent/mv-register');
    const { asReplicaId } = await import('@convergent/core');
    const M = ORMap.of(ORMap.register);
    const me = asReplicaId('bench');
    return {
      create: () => ({ s: M.bottom }),
      set(h, k, v) {
        h.s = M.merge(h.s, M.update(h.s, me, k, (reg, r) => MVRegister.set(reg, r, v)));
      },
      delete(h, k) {
        h.s = M.merge(h.s, M.remove(h.s, me, k));
      },
      size: (h) => M.size(h.s),
      encode: (h) => M.encode(h.s),
      load: (bytes) => ({ s: M.decode(bytes) }),
    };
  },
  async yjs() {
    const Y = await import('yjs');
    const make = () => {
      const doc = new Y.Doc();
      return { doc, map: doc.getMap('m') };
    };
    return {
      create: make,
      set: (h, k, v) => h.map.set(k, v),
      delete: (h, k) => h.map.delete(k),
      size: (h) => h.map.size,
      encode: (h) => Y.encodeStateAsUpdateV2(h.doc),
      load(bytes) {
        const h = make();
        Y.applyUpdateV2(h.doc, bytes);
        return h;
      },
    };
  },
  async loro() {
    const { LoroDoc } = await import('loro-crdt');
    const make = () => {
      const doc = new LoroDoc();
      return { doc, map: doc.getMap('m') };
    };
    return {
      create: make,
      set: (h, k, v) => h.map.set(k, v),
      delete: (h, k) => h.map.delete(k),
      size: (h) => h.map.size,
      encode: (h) => h.doc.export({ mode: 'snapshot' }),
      load(bytes) {
        const h = make();
        h.doc.import(bytes);
        return h;
      },
    };
  },
  async 'json-joy'() {
    const { Model } = await import('json-joy/lib/json-crdt/index.js');
    return {
      create() {
        const model = Model.create();
        model.api.root({});
        return { model, obj: model.api.obj([]) };
      },
      set: (h, k, v) => h.obj.set({ [k]: v }),
      delete: (h, k) => h.obj.del([k]),
      size: (h) => Object.keys(h.model.view()).length,
      encode: (h) => h.model.toBinary(),
      load: (bytes) => {
        const model = Model.fromBinary(bytes);
        return { model };
      },
    };
  },
  async automerge() {
    const A = await import('@automerge/automerge');
    // One change per 1,000 operations: a change per set is far slower.
    const flush = (h) => {
      if (h.pending.length === 0) return;
      const pending = h.pending;
      h.pending = [];
      h.doc = A.change(h.doc, (d) => {
        for (const [k, v] of pending) if (v === undefined) delete d[k];
        else d[k] = v;
      });
    };
    const queue = (h, k, v) => {
      h.pending.push([k, v]);
      if (h.pending.length === 1000) flush(h);
    };
    return {
      create: () => ({ doc: A.from({}), pending: [] }),
      set: (h, k, v) => queue(h, k, v),
      delete: (h, k) => queue(h, k, undefined),
      finish: flush,
      size: (h) => Object.keys(h.doc).length,
      encode: (h) => A.save(h.doc),
      load: (bytes) => ({ doc: A.load(bytes), pending: [] }),
    };
  },
};

async function measure(name, kase) {
  const lib = await libraries[name]();
  globalThis.gc?.();
  const h = lib.create();
  const t0 = performance.now();
  cases[kase](h, lib);
  lib.finish?.(h);
  const ms = performance.now() - t0;
  const live = kase === 'overwrite' ? 10 : kase === 'wide' ? N : 10_000;
  if (lib.size(h) !== live) throw new Error(`${name} ${kase}: ${lib.size(h)} keys, expected ${live}`);
  const bytes = lib.encode(h);
  const t1 = performance.now();
  const loaded = lib.load(bytes);
  const size = lib.size(loaded);
  const loadMs = performance.now() - t1;
  if (size !== live) throw new Error(`${name} ${kase}: loaded ${size} keys`);
  return { us: (ms * 1000) / ops[kase], bytes: bytes.length, loadMs };
}

const here = fileURLToPath(import.meta.url);
const [lib, kase] = process.argv.slice(2);
if (lib) process.stdout.write(JSON.stringify(await measure(lib, kase)) + '\n');
else {
  const names = Object.keys(libraries);
  const results = {};
  for (const k of Object.keys(cases)) {
    results[k] = {};
    for (const name of names) {
      results[k][name] = JSON.parse(execFileSync(process.execPath, ['--expose-gc', here, name, k], { encoding: 'utf8' }).trim().split('\n').pop());
      console.error(`maps ${k} ${name}: ${results[k][name].us.toFixed(2)} µs/op, ${results[k][name].bytes} B, load ${results[k][name].loadMs.toFixed(1)} ms`);
    }
  }
  let md = `\n### Maps: ${N.toLocaleString('en-US')} operations per case, one run each, fresh process per (library, case); Node ${process.version}\n`;
  const fmt = { us: (x) => x.toFixed(2), bytes: (x) => x.toLocaleString('en-US'), loadMs: (x) => x.toFixed(1) };
  for (const [measure, title] of [['us', 'time per operation (µs, wall)'], ['bytes', 'encoded (bytes)'], ['loadMs', 'cold load: decode and count the keys (ms)']]) {
    md += `\n${title}; in brackets, or-map's figure divided by the peer's (< 1: or-map is faster or smaller):\n\n| case | ${names.join(' | ')} |\n| --- | ${names.map(() => '---').join(' | ')} |\n`;
    for (const k of Object.keys(cases)) {
      const ours = results[k]['or-map'][measure];
      md += `| ${k} | ${names.map((n) => (n === 'or-map' ? fmt[measure](ours) : `${fmt[measure](results[k][n][measure])} (${(ours / results[k][n][measure]).toPrecision(2)})`)).join(' | ')} |\n`;
    }
  }
  process.stdout.write(md);
}
