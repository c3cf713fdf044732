// pnpm bench:server [-- --sizes 10,50,200 --procs 10 --docs 1000 --per-doc 5 --many-procs 4 --cycles 2 --stores leveldb,redis --workloads busy,many,paper --paper-runs 5]
// The real server (@convergent/server) in its own processes, over the embedded store
// (LevelDB, one process) and over Redis (two processes sharing a real redis-server), with
// WebSocket text clients in other processes. Workloads: one busy document with N clients,
// and many documents with a few clients each; then the automerge-paper document stored
// and restored. Prints Markdown tables. Never part of the tests.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisStore } from '@convergent/redis';
import { LevelDbStore } from '@convergent/server';
import { decodeMessage } from '@convergent/sync';
import { startRedis } from '../../redis/test/support/redis.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = option('sizes', '10,50,200').split(',').map(Number);
const maxProcs = Number(option('procs', '10'));
const docCount = Number(option('docs', '1000'));
const perDoc = Number(option('per-doc', '5'));
const manyProcs = Number(option('many-procs', '4'));
const cycles = Math.max(2, Number(option('cycles', '2')));
const stores = option('stores', 'leveldb,redis').split(',');
const workloads = option('workloads', 'busy,many,paper').split(',');
const paperRuns = Number(option('paper-runs', '5'));
const ROUNDS = 3;
const TIMEOUT = 120_000;
const execArgv = ['--import', 'tsx', '--conditions=@convergent/source'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process answering one IPC request at a time. */
function child(file, argv, extra = []) {
  const proc = fork(path.join(here, file), argv, { execArgv: [...execArgv, ...extra], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  proc.on('message', (m) => waiting.shift()?.resolve(m));
  proc.on('exit', () => waiting.splice(0).forEach((w) => w.reject(new Error(`${file} exited`))));
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  return {
    proc,
    next,
    ask: (message) => {
      const answer = next();
      proc.send(message);
      return answer;
    },
    kill: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

async function until(condition, what, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** `promise`, or a rejection after TIMEOUT. */
function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The server processes of one store: LevelDB, one process; Redis, two. Restartable on their ports. */
async function servers(kind, where, unloadMs = 30_000) {
  const count = kind === 'redis' ? 2 : 1;
  const procs = [];
  const ports = [];
  const start = async (i) => {
    const c = child('server.mjs', [String(ports[i] ?? 0), kind, where, String(unloadMs), String(i)], ['--expose-gc']);
    ports[i] = (await c.next()).port;
    procs[i] = c;
  };
  for (let i = 0; i < count; i++) await start(i);
  const sum = async (what) => {
    const parts = await Promise.all(procs.map((p) => p.ask(what)));
    const total = {};
    for (const part of parts) for (const [k, v] of Object.entries(part)) total[k] = (total[k] ?? 0) + v;
    return total;
  };
  return {
    ports,
    procs,
    stats: () => sum('stats'),
    memory: () => sum('memory'),
    restores: async () => {
      const all = await Promise.all(procs.map((p) => p.ask('restores')));
      return { count: all.reduce((k, r) => k + r.count, 0), totalMs: all.reduce((k, r) => k + r.totalMs, 0), named: all.flatMap((r) => r.named) };
    },
    /** Per process since the last call: errors by kind, appends in flight at most, the slowest append, the longest event-loop stall. */
    burst: () => Promise.all(procs.map((p) => p.ask('burst'))),
    kill: () => Promise.all(procs.map((p) => p.kill())),
    restart: async () => {
      for (let i = 0; i < count; i++) await start(i);
    },
    close: () => Promise.all(procs.map((p) => p.ask('close').catch(() => undefined))),
  };
}

/** Client processes; `plan[p]` lists what process p holds: [document, index of its first client there, clients]. */
async function clientProcs(ports, plan) {
  const procs = plan.map(() => child('clients.mjs', [JSON.stringify(ports)]));
  await Promise.all(procs.map((p) => p.next()));
  await Promise.all(procs.map((p, i) => p.ask({ op: 'open', docs: plan[i] })));
  const report = async (acked) => {
    const parts = await Promise.all(procs.map((p) => p.ask({ op: 'report', acked })));
    return { connected: parts.reduce((k, p) => k + p.connected, 0), acked: parts.reduce((k, p) => k + p.acked, 0), lengths: parts.flatMap((p) => p.lengths), errors: parts.reduce((k, p) => k + p.errors, 0) };
  };
  return {
    procs,
    report,
    all: (op) => Promise.all(procs.map((p) => p.ask({ op }))),
    kill: () => Promise.all(procs.map((p) => p.kill())),
  };
}

const frames = (a, b) => b.messages_sent + b.messages_received - a.messages_sent - a.messages_received;
const bytes = (a, b) => b.bytes_sent + b.bytes_received - a.bytes_sent - a.bytes_received;

/** One busy document, N clients spread over a few processes. */
async function busy(kind, where, n) {
  const doc = `busy-${n}`;
  const s = await servers(kind, where);
  const procs = Math.min(n, maxProcs);
  const plan = [];
  let first = 0;
  for (let p = 0; p < procs; p++) {
    const count = Math.floor(n / procs) + (p < n % procs ? 1 : 0);
    plan.push([[doc, first, count]]);
    first += count;
  }
  const c = await clientProcs(s.ports, plan);
  await until(async () => (await c.report()).connected === n, 'every client connected');
  const row = { store: kind, n, procs };
  let expected = 0;
  const converged = async () => (await c.report()).lengths.every(([, length]) => length === expected);
  const times = [];
  let f = 0;
  let b = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const before = await s.stats();
    await c.all('edit');
    const edited = performance.now();
    expected += n;
    await until(converged, 'convergence');
    times.push(performance.now() - edited);
    await until(async () => (await c.report(round)).acked === n, 'acknowledgements');
    await sleep(200);
    const after = await s.stats();
    f += frames(before, after);
    b += bytes(before, after);
  }
  row.convergeMs = times.reduce((x, y) => x + y, 0) / times.length;
  row.framesPerEdit = f / (ROUNDS * n);
  row.bytesPerEdit = b / (ROUNDS * n);

  // kill -9 of every server process, restarted on the same store and ports.
  await s.kill();
  const restarted = performance.now();
  await s.restart();
  await until(async () => (await c.report()).connected === n && (await converged()), 'reconnection');
  row.reconnectMs = performance.now() - restarted;
  await sleep(500);
  const zero = { messages_sent: 0, messages_received: 0, bytes_sent: 0, bytes_received: 0 };
  const afterRestart = await s.stats();
  row.reconnectFrames = frames(zero, afterRestart);
  row.reconnectBytes = bytes(zero, afterRestart);

  // Lost updates: one more round, then a fresh reader of a freshly restarted server.
  await c.all('edit');
  expected += n;
  await until(converged, 'the last round');
  await until(async () => (await c.report(ROUNDS + 1)).acked === n, 'the last acknowledgements');
  await c.kill();
  await s.kill();
  await s.restart();
  const reader = await clientProcs([s.ports[0]], [[[doc, 0, 1]]]);
  await until(async () => (await reader.report()).lengths[0][1] >= expected, 'the reader').catch(() => undefined);
  row.lost = expected - (await reader.report()).lengths[0][1];
  row.errors = (await reader.report()).errors;
  await reader.kill();
  await s.kill();
  return row;
}

/** Many documents with a few clients each, multiplexed over a few processes; memory loaded and unloaded. */
async function many(kind, where) {
  const unloadMs = 3000;
  const s = await servers(kind, where, unloadMs);
  const plan = (names, clients) => Array.from({ length: manyProcs }, (_, p) => names.filter((_, i) => i % manyProcs === p).map((name) => [name, 0, clients]));
  /** One cycle over new documents: their clients connect, edit once each and leave; then the documents unload. Memory at each step. */
  const cycle = async (names, measure = true) => {
    const memory = measure ? s.memory : async () => undefined; // none in the warm-up
    const row = {};
    const total = names.length * perDoc;
    const opened = performance.now();
    const c = await clientProcs(s.ports, plan(names, perDoc));
    // Thousands of clients connect (and load their documents) in a burst that a loaded
    // machine serves slowly: allow 50 ms per client beyond the usual wait.
    await until(async () => (await c.report()).connected === total, 'every client connected', TIMEOUT + 50 * total);
    row.connectMs = performance.now() - opened;
    row.connectBurst = await s.burst();
    const before = await s.stats();
    await c.all('edit');
    const edited = performance.now();
    await until(async () => (await c.report()).lengths.every(([, length]) => length === perDoc), 'convergence');
    row.convergeMs = performance.now() - edited;
    await until(async () => (await c.report(1)).acked === total, 'acknowledgements');
    row.editBurst = await s.burst();
    await sleep(300);
    const after = await s.stats();
    row.framesPerEdit = frames(before, after) / total;
    row.bytesPerEdit = bytes(before, after) / total;
    const withClients = await memory();
    await c.kill();
    const loaded = await memory(); // within unloadMs: every document still loaded, no connection
    row.loadedDocs = (await s.stats()).documents_loaded;
    await until(async () => (await s.stats()).documents_loaded === 0, 'every document unloaded');
    return { row, withClients, loaded, unloaded: await memory() };
  };
  // Warm-up: the same path as the measured cycles (50 documents, the same clients per
  // document, connected, edited, gone, unloaded), so that the baseline already holds what
  // any run of this path costs once, above all V8's compiled code for it. Named doc-…, as
  // the measured ones, so that the server gives them the same document type. Pools that
  // grow with the most connections at once (Node's HTTP parser free list, up to 1,000) or
  // with ids seen (the server's binding cache, up to 1,000) fill only in the first cycle:
  // the average over it includes them, the slope between cycles does not.
  await cycle(Array.from({ length: 50 }, (_, i) => `doc-warm-${i}`), false);
  const baseline = await s.memory();
  const first = await cycle(Array.from({ length: docCount }, (_, i) => `doc-${i}`));
  const row = { store: kind, docs: docCount, clients: docCount * perDoc, procs: manyProcs, ...first.row };
  // The same cycle again (--cycles: 2 or more in all) over as many new documents each
  // time: the slope of the unloaded readings is the marginal cost of an unloaded document,
  // free of the one-time costs that the first cycle still paid and its average includes.
  const unloaded = [first.unloaded];
  for (let k = 1; k < cycles; k++) unloaded.push((await cycle(Array.from({ length: docCount }, (_, i) => `doc-${k * docCount + i}`))).unloaded);
  // Each process loads the documents its clients use: client k of a document starts on
  // process k % processes, so with one client per document only the first loads them.
  const perProcessDoc = docCount * Math.min(perDoc, s.procs.length);
  row.withClientsPerDoc = (first.withClients.heap - baseline.heap) / perProcessDoc;
  row.loadedPerDoc = (first.loaded.heap - baseline.heap) / perProcessDoc;
  row.unloadedPerDoc = (first.unloaded.heap - baseline.heap) / perProcessDoc;
  // Between consecutive cycles: the first slope is (heap at 2 × docs − heap at docs) / docs.
  row.marginalPerDoc = unloaded.slice(1).map((m, k) => (m.heap - unloaded[k].heap) / perProcessDoc);
  row.heap = [baseline, ...unloaded].map((m) => m.heap);
  row.rss = [baseline, ...unloaded].map((m) => m.rss);
  const restores = await s.restores();
  row.restoreMs = restores.totalMs / restores.count;
  // Lost updates: one reader per document of every cycle.
  const names = Array.from({ length: cycles * docCount }, (_, i) => `doc-${i}`);
  const readers = await clientProcs(s.ports, plan(names, 1));
  await until(async () => (await readers.report()).lengths.every(([, length]) => length === perDoc), 'the readers').catch(() => undefined);
  row.lost = (await readers.report()).lengths.reduce((k, [, length]) => k + (perDoc - length), 0);
  await readers.kill();
  await s.kill();
  return row;
}

const median = (xs) => {
  const sorted = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * The automerge-paper document: stored by one client, then restored `--paper-runs` times,
 * each by a fresh server process for a fresh reader, alternating with a cold decode of the
 * same state in a fresh process; medians of each, measured side by side.
 */
async function paper(kind, where) {
  const s = await servers(kind, where);
  const writer = await clientProcs([s.ports[0]], [[['paper', 0, 1]]]);
  await until(async () => (await writer.report()).connected === 1, 'the writer');
  const { length, ok } = await writer.procs[0].ask({ op: 'paper' });
  if (!ok) throw new Error('the paper trace did not replay to its final text');
  await until(async () => (await writer.report(1)).acked === 1, 'the stored paper');
  await writer.kill();
  await s.close(); // graceful: compacts the document into one state
  const store = kind === 'leveldb' ? await LevelDbStore.open(where) : await RedisStore.connect({ url: where });
  const stored = await store.load('paper');
  await store.close();
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'convergent-paper-')), 'state.bin');
  const payload = stored.state ? decodeMessage(stored.state, { maxMessageBytes: 1 << 26, maxStateBytes: 1 << 26 }).payload : new Uint8Array();
  writeFileSync(file, payload);
  const runs = [];
  const loadBefore = loadavg()[0];
  for (let run = 0; run < paperRuns; run++) {
    // Both measured with the same processes idle around them: the fresh server
    // processes, started and settled, then the cold decode, then the restore.
    await s.restart();
    await sleep(300);
    const decode = child('decode.mjs', [file]);
    const { ms: decodeMs, cpuMs: decodeCpuMs } = await decode.next();
    await decode.kill();
    await sleep(300);
    const opened = performance.now();
    const reader = await clientProcs([s.ports[0]], [[['paper', 0, 1]]]);
    await within(reader.procs[0].ask({ op: 'length', length }), 'the reader');
    const readerMs = performance.now() - opened;
    await until(async () => (await s.restores()).named.some((r) => r.doc === 'paper' && r.answeredMs !== undefined), 'the first answer');
    const restore = (await s.restores()).named.find((r) => r.doc === 'paper');
    await reader.kill();
    await s.kill();
    const row = {
      decodeMs,
      decodeCpuMs,
      readerMs,
      subscribedMs: restore.subscribedMs,
      readMs: restore.readMs,
      serverDecodeMs: restore.decodeMs,
      replayedMs: restore.replayedMs,
      askedMs: restore.askedMs,
      answeredMs: restore.answeredMs,
      answeredCpuMs: restore.answeredCpuMs,
      answerBytes: restore.answerBytes,
    };
    console.error(JSON.stringify({ store: kind, run, ...row }));
    runs.push(row);
  }
  rmSync(path.dirname(file), { recursive: true, force: true });
  const of = (key) => median(runs.map((r) => r[key]));
  const ratios = runs.map((r) => r.answeredMs / r.decodeMs).sort((a, b) => a - b);
  const cpuRatios = runs.map((r) => r.answeredCpuMs / r.decodeCpuMs).sort((a, b) => a - b);
  return {
    store: kind,
    length,
    stateBytes: stored.state?.length ?? 0,
    deltas: stored.deltas.length,
    runs: runs.length,
    load: `${loadBefore.toFixed(1)}–${loadavg()[0].toFixed(1)}`,
    readMs: of('readMs'),
    replayedMs: of('replayedMs'),
    answeredMs: of('answeredMs'),
    answerBytes: of('answerBytes'),
    decodeMs: of('decodeMs'),
    answeredCpuMs: of('answeredCpuMs'),
    decodeCpuMs: of('decodeCpuMs'),
    cpuRatios,
    readerMs: of('readerMs'),
    ratios,
  };
}

const results = { busy: [], many: [], paper: [] };
for (const kind of stores) {
  const withStore = async (body) => {
    if (kind === 'leveldb') {
      const folder = mkdtempSync(path.join(tmpdir(), 'convergent-bench-'));
      try {
        return await body(folder);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    }
    const redis = await startRedis({ durable: true });
    try {
      return await body(redis.url);
    } finally {
      await redis.stop();
    }
  };
  for (const n of workloads.includes('busy') ? sizes : []) {
    const row = await withStore((where) => busy(kind, where, n));
    console.error(JSON.stringify(row));
    results.busy.push(row);
  }
  if (workloads.includes('many')) {
    const row = await withStore((where) => many(kind, where));
    console.error(JSON.stringify(row));
    results.many.push(row);
  }
  if (workloads.includes('paper')) {
    const row = await withStore((where) => paper(kind, where));
    console.error(JSON.stringify(row));
    results.paper.push(row);
  }
}

const label = (kind) => (kind === 'redis' ? 'Redis, 2 server processes' : 'LevelDB, 1 process');
const kb = (x) => (Math.abs(x) >= 1024 ? `${(x / 1024).toFixed(1)} KiB` : `${Math.round(x)} B`);
const mb = (x) => `${(x / 1048576).toFixed(2)} MiB`;
const ms = (x) => (x === undefined ? '–' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
console.log('\n### One busy document\n');
console.log('| store | N clients | client processes | convergence after the last edit | frames / bytes per edit (server, in + out) | restart (kill -9): frames / bytes until all reconnected and converged | per client | reconnect time | lost updates |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results.busy)
  console.log(`| ${label(r.store)} | ${r.n} | ${r.procs} | ${ms(r.convergeMs)} | ${r.framesPerEdit.toFixed(1)} / ${kb(r.bytesPerEdit)} | ${r.reconnectFrames} / ${kb(r.reconnectBytes)} | ${(r.reconnectFrames / r.n).toFixed(1)} frames | ${ms(r.reconnectMs)} | ${r.lost} |`);
console.log('\n### Many documents\n');
console.log('| store | documents × clients | client processes | connect all | convergence after the last edit | frames / bytes per edit | server heap per document: with its clients / loaded, no client / unloaded (average over the first cycle) | unloaded, marginal (each cycle − the one before) | heap / RSS: baseline, then unloaded after each cycle | mean restore of a small document | edit burst: slowest append / longest event-loop stall / server errors | lost updates |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const worst = (burst, key) => Math.max(...burst.map((b) => b[key]));
const errorCount = (burst) => burst.reduce((k, b) => k + Object.values(b.errors).reduce((x, y) => x + y, 0), 0);
for (const r of results.many)
  console.log(`| ${label(r.store)} | ${r.docs} × ${perDoc} | ${r.procs} | ${ms(r.connectMs)} | ${ms(r.convergeMs)} | ${r.framesPerEdit.toFixed(1)} / ${kb(r.bytesPerEdit)} | ${kb(r.withClientsPerDoc)} / ${kb(r.loadedPerDoc)} / ${kb(r.unloadedPerDoc)} | ${r.marginalPerDoc.map(kb).join(', ')} | ${r.heap.map(mb).join(', ')} / ${r.rss.map(mb).join(', ')} | ${ms(r.restoreMs)} | ${ms(worst(r.editBurst, 'slowestMs'))} / ${ms(worst(r.editBurst, 'loopMaxMs'))} / ${errorCount(r.editBurst)} | ${r.lost} |`);
console.log('\n### Restoring the automerge-paper document\n');
console.log('| store | text length | stored state | runs (load average) | store read | replay done | first answer frame written (bytes) | cold decode (fresh process) | first answer / cold decode: median of the runs (each run) | the same in CPU time: medians, and median of the runs (each run) | a fresh client has the text after |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results.paper)
  console.log(
    `| ${label(r.store)} | ${r.length.toLocaleString('en')} | ${kb(r.stateBytes)}${r.deltas ? ` + ${r.deltas} deltas` : ''} | ${r.runs} (${r.load}) | ${ms(r.readMs)} | ${ms(r.replayedMs)} | ${ms(r.answeredMs)} (${kb(r.answerBytes)}) | ${ms(r.decodeMs)} | ${median(r.ratios).toFixed(2)}× (${r.ratios.map((x) => x.toFixed(2)).join(', ')}) | ${ms(r.answeredCpuMs)} / ${ms(r.decodeCpuMs)}: ${median(r.cpuRatios).toFixed(2)}× (${r.cpuRatios.map((x) => x.toFixed(2)).join(', ')}) | ${ms(r.readerMs)} |`,
  );
process.exit(0);
