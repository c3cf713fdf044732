// pnpm bench:sync [-- --sizes 10,50,200 --procs 20 --phase-timeout 60 --max-rss-mb 3072]
// A real relay (startRelay) and N WebSocket clients in separate Node processes, each
// client holding the web demo's two documents. Measures what the sync protocol costs
// on the wire, per edit, per reconnect and per relay restart, and whether replicas
// converge under 5 % frame loss without the application calling sync(). Prints a
// Markdown table. Never part of the tests. Uses only the public API of
// @convergent/sync, so it measures whatever protocol the branch has.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = option('sizes', '10,50,200').split(',').map(Number);
const maxProcs = Number(option('procs', '20'));
const phaseTimeout = Number(option('phase-timeout', '60')) * 1000;
const maxRss = Number(option('max-rss-mb', '3072')) * 2 ** 20;
const LOSS = 0.05;
const execArgv = ['--import', 'tsx', '--conditions=@convergent/source'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process answering one IPC request at a time. */
function child(file, argv) {
  const proc = fork(path.join(here, file), argv, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  proc.on('message', (m) => waiting.shift()?.resolve(m));
  proc.on('exit', () => waiting.splice(0).forEach((w) => w.reject(new Error(`${file} exited`))));
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  return {
    proc,
    next,
    ask: (message) => {
      const answer = next();
      proc.send(message);
      return answer;
    },
    tell: (message) => proc.send(message),
  };
}

class Aborted extends Error {}

async function startRelayProcess(port) {
  const relay = child('relay.mjs', [String(port)]);
  const { port: bound } = await relay.next();
  return { ...relay, port: bound };
}

/**
 * Waits until the relay has forwarded nothing new for `quietMs` and `ready()` holds.
 * Returns the relay's counters and the time from the call to the last frame.
 */
async function quiescent(relay, ready = async () => true, quietMs = 400) {
  const start = Date.now();
  let last = -1;
  let since = Date.now();
  for (;;) {
    const s = await relay.ask('stats');
    if (s.rss > maxRss) throw new Aborted(`relay RSS over ${maxRss / 2 ** 20} MiB`);
    const moved = s.delivered + s.dropped + s.received;
    if (moved !== last) [last, since] = [moved, Date.now()];
    else if (Date.now() - since >= quietMs && (await ready())) return { stats: s, ms: since - start };
    if (Date.now() - start > phaseTimeout) throw new Aborted(`not quiet after ${phaseTimeout / 1000} s (${s.delivered} deliveries so far)`);
    await sleep(50);
  }
}

async function run(n) {
  const procs = Math.min(n, maxProcs);
  let relay = await startRelayProcess(0);
  const port = relay.port;
  const url = `ws://127.0.0.1:${port}/bench`;
  const groups = Array.from({ length: procs }, (_, p) => Math.floor(n / procs) + (p < n % procs ? 1 : 0));
  const clients = groups.map((count) => child('clients.mjs', [url, String(count)]));
  await Promise.all(clients.map((c) => c.next()));
  const where = (i) => {
    let p = 0;
    while (i >= groups[p]) i -= groups[p++];
    return [clients[p], i];
  };
  const edit = (i, what) => {
    const [c, index] = where(i);
    c.tell({ op: 'edit', index, what });
  };
  const report = async () => {
    const parts = await Promise.all(clients.map((c) => c.ask({ op: 'report' })));
    return {
      connected: parts.reduce((k, p) => k + p.connected, 0),
      errors: parts.reduce((k, p) => k + p.errors, 0),
      states: parts.flatMap((p) => p.states),
    };
  };
  let likes = 0;
  let chars = 0;
  const wrong = async () => {
    const { states } = await report();
    const d = states[0].digest;
    return states.filter((s) => s.likes !== likes || s.length !== chars || s.digest !== d).length;
  };
  const allConnected = async () => (await report()).connected === n;
  const converged = async () => (await wrong()) === 0;
  /** Runs `act`, waits for quiet and convergence, returns the relay's counters for that span. */
  const measure = async (act, ready = converged) => {
    const before = await relay.ask('stats');
    await act();
    const { stats, ms } = await quiescent(relay, ready);
    return { delivered: stats.delivered - before.delivered, bytes: stats.bytesDelivered - before.bytesDelivered, ms };
  };

  const row = { n, procs };
  const phase = async (name, body) => {
    if (row.aborted) return (row[name] = 'skipped');
    try {
      await body();
    } catch (error) {
      if (!(error instanceof Aborted)) throw error;
      row[name] = `aborted: ${error.message}`;
      row.aborted = true;
    }
  };
  await phase('join', async () => {
    // N clients connect and sync their empty documents.
    const { stats } = await quiescent(relay, allConnected);
    row.join = { delivered: stats.delivered, bytes: stats.bytesDelivered };
  });
  await phase('insert2', async () => {
    chars++;
    await measure(async () => edit(0, 'insert'));
    chars++;
    const m = await measure(async () => edit(1 % n, 'insert'));
    row.insert2 = Math.round(m.bytes / m.delivered);
  });
  await phase('warmup', async () => {
    // Every client authors one character and one like, in batches of 10 at a time.
    for (let i = 0; i < n; i += 10) {
      const batch = Array.from({ length: Math.min(10, n - i) }, (_, k) => i + k);
      await measure(async () => {
        for (const k of batch) {
          edit(k, 'insert');
          edit(k, 'like');
        }
        chars += batch.length;
        likes += batch.length;
      });
    }
  });
  await phase('edit', async () => {
    const inserts = [];
    const likeCosts = [];
    for (let k = 0; k < 5; k++) {
      const who = Math.floor(Math.random() * n);
      chars++;
      inserts.push(await measure(async () => edit(who, 'insert')));
      likes++;
      likeCosts.push(await measure(async () => edit(who, 'like')));
    }
    const mean = (xs, f) => xs.reduce((s, x) => s + f(x), 0) / xs.length;
    row.insertDeliveries = mean(inserts, (m) => m.delivered);
    row.insertBytes = mean(inserts, (m) => m.bytes);
    row.insertN = Math.round(mean(inserts, (m) => m.bytes / m.delivered));
    row.likeDeliveries = mean(likeCosts, (m) => m.delivered);
    row.likeBytes = mean(likeCosts, (m) => m.bytes);
  });
  await phase('reconnect', async () => {
    const [c, index] = where(Math.floor(Math.random() * n));
    const m = await measure(async () => c.tell({ op: 'reconnect', index }), async () => (await allConnected()) && (await converged()));
    row.reconnect = m;
  });
  await phase('loss', async () => {
    // Every client loses 5 % of the messages that reach it, then every client types a
    // character and likes once; nobody calls sync().
    for (const c of clients) c.tell({ op: 'loss', p: LOSS });
    const t0 = Date.now();
    for (const c of clients) c.tell({ op: 'editAll', what: ['insert', 'like'] });
    chars += n;
    likes += n;
    let left = n;
    while (Date.now() - t0 < 10_000 && (left = await wrong()) > 0) await sleep(50);
    row.loss = left === 0 ? { ms: Date.now() - t0 } : { wrong: left, after: Date.now() - t0 };
    for (const c of clients) c.tell({ op: 'loss', p: 0 });
  });
  let peakRss = 0;
  await phase('restart', async () => {
    peakRss = (await relay.ask('stats')).peakRss;
    relay.proc.kill('SIGKILL');
    await new Promise((resolve) => relay.proc.once('exit', resolve));
    relay = await startRelayProcess(port);
    // From the new relay listening to its last frame, every client back and converged
    // (which also repairs what the loss phase left behind).
    const { stats, ms } = await quiescent(relay, async () => (await allConnected()) && (await converged()));
    row.restart = { delivered: stats.delivered, bytes: stats.bytesDelivered, ms };
  });
  row.rss = Math.max(peakRss, (await relay.ask('stats')).peakRss);
  row.errors = (await report().catch(() => ({ errors: '?' }))).errors;
  for (const c of [...clients, relay]) c.proc.kill('SIGKILL');
  return row;
}

const kb = (bytes) => (bytes === undefined ? '–' : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${Math.round(bytes)} B`);
const cost = (m) =>
  typeof m === 'string' ? m : m === undefined ? '–' : `${m.delivered.toLocaleString('en')} / ${kb(m.bytes)}${m.ms === undefined ? '' : ` / ${(m.ms / 1000).toFixed(1)} s`}`;
const rows = [];
for (const n of sizes) {
  const row = await run(n);
  console.error(JSON.stringify(row));
  rows.push(row);
}
console.log(`\n5 % loss: each client loses 5 % of the messages that reach it, then every client types a character and likes once; "converged" = every replica shows every edit, with no sync() from the app (watched for 10 s).`);
console.log('Deliveries and bytes are counted by the relay (frames it sent, WebSocket payload bytes).\n');
console.log('| N | client processes | join of N clients: deliveries / bytes | insert: deliveries / bytes | like: deliveries / bytes | 1-char insert on the wire, 2 authors / N authors | reconnect of one client: deliveries / bytes / time | relay restart: deliveries / bytes / time | relay peak RSS (whole run) | 5 % loss: converged in | replica errors |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const skipped = (v) => (typeof v === 'string' ? v : undefined);
  const loss = typeof r.loss === 'string' ? r.loss : r.loss === undefined ? '–' : r.loss.ms !== undefined ? `${(r.loss.ms / 1000).toFixed(2)} s` : `not after ${(r.loss.after / 1000).toFixed(0)} s (${r.loss.wrong} of ${r.n} wrong)`;
  console.log(
    `| ${r.n} | ${r.procs} | ${cost(r.join)} | ${skipped(r.edit) ?? `${r.insertDeliveries} / ${kb(r.insertBytes)}`} | ${skipped(r.edit) ?? `${r.likeDeliveries} / ${kb(r.likeBytes)}`} | ${skipped(r.insert2) ?? `${r.insert2} B`} / ${r.insertN ?? '–'} B | ${cost(r.reconnect)} | ${cost(r.restart)} | ${kb(r.rss)} | ${loss} | ${r.errors} |`,
  );
}
const notes = rows.flatMap((r) => ['join', 'insert2', 'warmup', 'edit'].filter((k) => typeof r[k] === 'string' && r[k] !== 'skipped').map((k) => `- N = ${r.n}, ${k}: ${r[k]}`));
if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
console.log(`\nA phase is aborted after ${phaseTimeout / 1000} s without the room going quiet (or relay RSS over ${maxRss / 2 ** 20} MiB); the phases after it are skipped.`);
process.exit(0);
