// pnpm bench -- --section lists   (or: node --expose-gc packages/bench/src/lists.mjs [lib size])
// A todo list of records {title, done}, one writer: @convergent/or-list of
// @convergent/struct (fields are MV-Registers) against a Yjs Y.Array of Y.Maps. A
// list of n elements is built by appends, then timed: appends, inserts at random
// places and edits (set `done` of a random element). One operation is one update:
// for ours, the delta mutator and the merge of its delta into the state. Every
// (library, size) runs in a fresh process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const OPS = 500;
const sizes = [1_000, 10_000];
let seed = 1;
const random = (n) => ((seed = (seed * 16807) % 2147483647) % n);

const libraries = {
  async 'or-list'() {
    const ORList = await import('@convergent/or-list');
    const ORMap = await import('@convergent/or-map');
    const Struct = await import('@convergent/struct');
    const MVRegister = await import('@convergent/mv-register');
    const { asReplicaId } = await import('@convergent/core');
    const Todo = Struct.of({ title: ORMap.register, done: ORMap.register });
    const Todos = ORList.of(Todo);
    const me = asReplicaId('bench');
    return {
      create: () => ({ s: Todos.bottom }),
      insert(h, i, title) {
        h.s = Todos.merge(h.s, Todos.insert(h.s, me, i, (t, r) => Todo.update(t, r, 'title', (v, m) => MVRegister.set(v, m, title))));
      },
      edit(h, i, done) {
        h.s = Todos.merge(h.s, Todos.update(h.s, me, i, (t, r) => Todo.update(t, r, 'done', (v, m) => MVRegister.set(v, m, done))));
      },
      length: (h) => Todos.length(h.s),
    };
  },
  async yjs() {
    const Y = await import('yjs');
    return {
      create() {
        const doc = new Y.Doc();
        return { array: doc.getArray('todos') };
      },
      insert(h, i, title) {
        const m = new Y.Map();
        m.set('title', title);
        h.array.insert(i, [m]);
      },
      edit: (h, i, done) => h.array.get(i).set('done', done),
      length: (h) => h.array.length,
    };
  },
};

const time = (f) => {
  const t0 = performance.now();
  for (let k = 0; k < OPS; k++) f(k);
  return ((performance.now() - t0) * 1000) / OPS;
};

async function measure(name, n) {
  const lib = await libraries[name]();
  const h = lib.create();
  for (let i = 0; i < n; i++) lib.insert(h, i, `t${i}`);
  globalThis.gc?.();
  const edit = time((k) => lib.edit(h, random(n), k % 2 === 0));
  const insert = time((k) => lib.insert(h, random(n + k), `r${k}`));
  const append = time((k) => lib.insert(h, n + 2 * OPS + k - OPS, `a${k}`));
  if (lib.length(h) !== n + 2 * OPS) throw new Error(`${name} ${n}: ${lib.length(h)} elements`);
  return { append, insert, edit };
}

const here = fileURLToPath(import.meta.url);
const [lib, size] = process.argv.slice(2);
if (lib) process.stdout.write(JSON.stringify(await measure(lib, Number(size))) + '\n');
else {
  const names = Object.keys(libraries);
  let md = `\n### Lists of records: time per operation at n elements, ${OPS} of each, one run, fresh process per (library, n); Node ${process.version}\n\n`;
  md += `µs per operation (wall); in brackets, or-list's figure divided by Yjs's (< 1: or-list is faster):\n\n| n | operation | ${names.join(' | ')} |\n| --- | --- | ${names.map(() => '---').join(' | ')} |\n`;
  for (const n of sizes) {
    const r = Object.fromEntries(names.map((name) => [name, JSON.parse(execFileSync(process.execPath, [...process.execArgv, here, name, String(n)], { encoding: 'utf8' }).trim().split('\n').pop())]));
    for (const op of ['append', 'insert', 'edit']) {
      const ours = r['or-list'][op];
      md += `| ${n.toLocaleString('en-US')} | ${op} | ${names.map((x) => (x === 'or-list' ? ours.toFixed(1) : `${r[x][op].toFixed(1)} (${(ours / r[x][op]).toPrecision(2)})`)).join(' | ')} |\n`;
    }
  }
  process.stdout.write(md);
}
