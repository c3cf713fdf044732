// pnpm bench:digest [-- --docs 10000 --diffs 0,1,10,100,1000]
// A client and a server each hold the same many documents but for d of them; the client
// finds which differ with the digest tree of @convergent/sync (DigestTree.answer on the
// server, findDifferences on the client), and the alternative: one sync request per
// document carrying its version vector (what a reconnect costs without the tree).
// Counts messages and bytes (the figures that matter), and times building and updating
// the tree. Prints a Markdown table. Never part of the tests. One process, no network:
// every message is encoded and decoded as it would be on a socket.
import { replicaId, writeCounts, Writer } from '@convergent/core';
import { DigestTree, encodeMessage, findDifferences } from '@convergent/sync';

const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const n = Number(option('docs', '10000'));
const diffs = option('diffs', '0,1,10,100,1000').split(',').map(Number);

// A seeded generator (mulberry32): the same documents on every run.
let seed = 42;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const pick = (list) => list[Math.floor(random() * list.length)];

// 200 authors; each document has 1 to 4 of them, with up to 5,000 edits each: its
// version vector is what Replica.version encodes for a causal type or a delta log.
const authors = Array.from({ length: 200 }, () => replicaId());
const name = (i) => `team-42/doc-${String(i).padStart(5, '0')}`;
const vectors = Array.from({ length: n }, () => {
  const vector = new Map();
  for (let k = 1 + Math.floor(random() * 4); k > 0; k--) vector.set(pick(authors), 1 + Math.floor(random() * 5000));
  return vector;
});
const encode = (vector) => {
  const writer = new Writer();
  writeCounts(writer, vector);
  return writer.finish();
};

const versions = vectors.map(encode);
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const server = new DigestTree();
for (let i = 0; i < n; i++) server.set(name(i), versions[i]);
const buildMs = performance.now() - started;
globalThis.gc?.();
// The tree's own heap (its names are the same strings the caller holds).
const treeBytes = process.memoryUsage().heapUsed - heapBefore;

/** The client: the server's documents, with `d` of them behind (the server advanced while it was away). */
function client(d) {
  const tree = new DigestTree();
  const behind = new Set();
  while (behind.size < d) behind.add(Math.floor(random() * n));
  const mine = vectors.map((vector, i) => {
    if (!behind.has(i)) return vector;
    const [author, count] = [...vector][0];
    return new Map([...vector, [author, count - 1]]);
  });
  for (let i = 0; i < n; i++) tree.set(name(i), encode(mine[i]));
  return { tree, mine, behind };
}

const rows = [];
for (const d of diffs) {
  const { tree, mine, behind } = client(d);
  const cost = { messages: 0, up: 0, down: 0, rounds: 0 };
  const t0 = performance.now();
  const found = await findDifferences(tree, (request) => {
    const answer = server.answer(request);
    cost.messages += 2;
    cost.up += request.length;
    cost.down += answer.length;
    return answer;
  });
  const ms = performance.now() - t0;
  if (found.size !== d || ![...behind].every((i) => found.has(name(i)))) throw new Error(`d = ${d}: found ${found.size} names, not the ${d} that differ`);
  // Without the tree: one sync request per document with its version vector; the
  // server answers only the d that differ (with their deltas, not counted here).
  const from = replicaId();
  let vectorBytes = 0;
  for (let i = 0; i < n; i++) vectorBytes += encodeMessage({ kind: 'sync', doc: name(i), from, to: undefined, seen: mine[i], digest: undefined, ask: true, nonce: undefined }).length;
  rows.push({ d, ...cost, ms, vectorBytes });
}

// Incremental update: one document changes, one path of the tree is rehashed.
const updates = 20_000;
const t1 = performance.now();
for (let k = 0; k < updates; k++) {
  const i = Math.floor(random() * n);
  const vector = new Map(vectors[i]);
  const [author, count] = [...vector][0];
  vector.set(author, count + 1);
  vectors[i] = vector;
  server.set(name(i), encode(vector));
}
const updateUs = ((performance.now() - t1) * 1000) / updates;

const kb = (bytes) => (bytes / 1024).toFixed(bytes < 10240 ? 2 : 0);
console.log(`\n${n.toLocaleString('en')} documents, Node ${process.version}\n`);
console.log('| differences d | messages (requests + answers) | bytes client → server | bytes server → client | bytes per difference | one sync request per document: messages, bytes | tree / vectors | exchange time |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const total = r.up + r.down;
  console.log(
    `| ${r.d} | ${r.messages} | ${r.up.toLocaleString('en')} B | ${r.down.toLocaleString('en')} B | ${r.d ? Math.round(total / r.d).toLocaleString('en') + ' B' : '–'} | ${n.toLocaleString('en')}, ${kb(r.vectorBytes)} kB | ${((100 * total) / r.vectorBytes).toFixed(2)} % | ${r.ms.toFixed(1)} ms |`,
  );
}
console.log(`\nBuilding the tree of ${n.toLocaleString('en')} documents: ${buildMs.toFixed(0)} ms; one document's update (encode its vector, set): ${updateUs.toFixed(1)} µs.`);
if (globalThis.gc) console.log(`The tree's heap: ${(treeBytes / 2 ** 20).toFixed(2)} MiB, ${Math.round(treeBytes / n)} B per document.`);
