// What grew between two heap snapshots of a bench server (`HEAPSNAP=<folder> pnpm
// bench:server …` writes one after each memory reading: 1 the baseline, then with
// clients, loaded, unloaded for the first cycle of documents (2-4) and the second (5-7);
// snap-4 against snap-7 is what the second cycle's documents left behind). Usage: node heap-diff.mjs <before> <after> <documents>.
// Prints the growth split into compiled code (V8's JIT output and feedback, which a
// longer run grows once, not per document) and the rest, then the largest rows.
import { readFileSync } from 'node:fs';

const [before, after, documents] = process.argv.slice(2);
if (documents === undefined) throw new Error('usage: heap-diff.mjs <before.heapsnapshot> <after.heapsnapshot> <documents>');

/** Bytes and counts by node type and name. */
function summarize(file) {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const rows = new Map();
  for (let i = 0; i < nodes.length; i += fields.length) {
    const kind = types[nodes[i + type]];
    const label = `${kind}: ${kind.includes('string') ? '' : String(strings[nodes[i + name]]).slice(0, 60)}`;
    const row = rows.get(label) ?? { count: 0, bytes: 0 };
    row.count++;
    row.bytes += nodes[i + size];
    rows.set(label, row);
  }
  return rows;
}

const [a, b] = [summarize(before), summarize(after)];
const growth = [...new Set([...a.keys(), ...b.keys()])].map((label) => {
  const [x, y] = [a.get(label) ?? { count: 0, bytes: 0 }, b.get(label) ?? { count: 0, bytes: 0 }];
  return { label, count: y.count - x.count, bytes: y.bytes - x.bytes };
});
const isCode = (label) => label.startsWith('code:') || /FeedbackVector|WeakArrayList/.test(label);
const sum = (rows) => rows.reduce((total, row) => total + row.bytes, 0);
const code = sum(growth.filter((row) => isCode(row.label)));
const rest = sum(growth.filter((row) => !isCode(row.label)));
const perDoc = (bytes) => `${(bytes / Number(documents)).toFixed(0)} B per document`;
console.log(`grew ${sum(growth)} B (${perDoc(sum(growth))}): compiled code ${code} B (${perDoc(code)}), the rest ${rest} B (${perDoc(rest)})`);
for (const row of growth.filter((r) => !isCode(r.label)).sort((x, y) => y.bytes - x.bytes).slice(0, 12)) console.log(`${row.bytes}\t${row.count}\t${row.label}`);
