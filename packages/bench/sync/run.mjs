// pnpm bench:sync [-- --sizes 10,50,200 --procs 20 --phase-timeout 60 --max-rss-mb 3072 --loss-watch 30 --gossip-ms <replica default>]
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
const lossWatch = Number(option('loss-watch', '30')) * 1000;
// The replicas' gossip interval; '' leaves the Replica default.
const gossipMs = option('gossip-ms', '');
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
 * Watches the relay in 4 s windows until three in a row carry about the same traffic
 * (within 30 % and twice `slack` frames): the room's background, e.g. periodic gossip
 * (0 for a protocol that only speaks when something changes). Returns it per second.
 */
async function settle(relay, slack) {
  const start = Date.now();
  const windows = [];
  for (;;) {
    const [a, t0] = [await relay.ask('stats'), Date.now()];
    await sleep(4000);
    const [b, t1] = [await relay.ask('stats'), Date.now()];
    windows.push({ delivered: ((b.delivered - a.delivered) * 1000) / (t1 - t0), bytes: ((b.bytesDelivered - a.bytesDelivered) * 1000) / (t1 - t0) });
    const last = windows.slice(-3).map((w) => w.delivered);
    if (last.length === 3 && Math.max(...last) - Math.min(...last) <= 0.3 * Math.max(...last) + 2 * slack) {
      const mean = (k) => windows.slice(-3).reduce((sum, w) => sum + w[k], 0) / 3;
      return { delivered: mean('delivered'), bytes: mean('bytes'), stats: b };
    }
    if (Date.now() - start > phaseTimeout) throw new Aborted(`traffic not steady after ${phaseTimeout / 1000} s (${b.delivered} deliveries so far)`);
  }
}

/**
 * Waits until, for `quietMs`, the relay has forwarded no more than the background
 * traffic (half as much again, plus `slack` frames, when there is any), and `ready()`
 * holds. Returns the relay's counters, the time from the call to the end of the
 * activity, and what was forwarded beyond the background until then.
 */
async function quiescent(relay, ready, background, slack, quietMs = 400) {
  const start = Date.now();
  const first = await relay.ask('stats');
  const samples = [{ t: start, moved: 0 }];
  let since = start;
  for (;;) {
    await sleep(50);
    const s = await relay.ask('stats');
    if (s.rss > maxRss) throw new Aborted(`relay RSS over ${maxRss / 2 ** 20} MiB`);
    const now = Date.now();
    const moved = s.delivered + s.dropped + s.received - first.delivered - first.dropped - first.received;
    samples.push({ t: now, moved });
    const old = samples.findLast((x) => x.t <= now - quietMs) ?? samples[0];
    const allowance = background.delivered > 0 ? (background.delivered * 1.5 * (now - old.t)) / 1000 + slack : 0;
    if (moved - old.moved > allowance) since = now;
    else if (now - since >= quietMs && (await ready())) {
      const seconds = (since - start) / 1000;
      return {
        stats: s,
        ms: since - start,
        delivered: Math.max(0, Math.round(s.delivered - first.delivered - background.delivered * seconds)),
        bytes: Math.max(0, s.bytesDelivered - first.bytesDelivered - background.bytes * seconds),
      };
    }
    if (now - start > phaseTimeout) throw new Aborted(`not quiet after ${phaseTimeout / 1000} s (${s.delivered} deliveries so far)`);
  }
}

async function run(n) {
  const procs = Math.min(n, maxProcs);
  let relay = await startRelayProcess(0);
  const port = relay.port;
  const url = `ws://127.0.0.1:${port}/bench`;
  const groups = Array.from({ length: procs }, (_, p) => Math.floor(n / procs) + (p < n % procs ? 1 : 0));
  const clients = groups.map((count) => child('clients.mjs', [url, String(count), gossipMs]));
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
  /** Edits and returns the sizes of the messages the edit sent. */
  const editSized = async (i, what) => {
    const [c, index] = where(i);
    return (await c.ask({ op: 'edit', index, what, sizes: true })).sizes;
  };
  // A broadcast frame on the wire: the message and the relay envelope's 3 bytes.
  const frame = (sizes) => `${sizes.map((b) => b + 3).join(' + ')} B`;
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
  let background = { delivered: 0, bytes: 0 };
  /** Runs `act`, waits for quiet and convergence: what the relay forwarded beyond the background, and how long it took. */
  const measure = async (act, ready = converged) => {
    const done = quiescent(relay, ready, background, n);
    await act();
    const { delivered, bytes, ms } = await done;
    return { delivered, bytes, ms };
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
    // N clients connect and sync their empty documents; then the room's background traffic.
    while (!(await allConnected())) await sleep(100);
    const settled = await settle(relay, n);
    background = { delivered: settled.delivered, bytes: settled.bytes };
    row.background = background;
    row.join = { delivered: settled.stats.delivered, bytes: settled.stats.bytesDelivered };
  });
  await phase('insert2', async () => {
    chars++;
    await measure(async () => edit(0, 'insert'));
    chars++;
    let sizes;
    await measure(async () => (sizes = await editSized(1 % n, 'insert')));
    row.insert2 = frame(sizes);
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
      let sizes;
      inserts.push(await measure(async () => (sizes = await editSized(who, 'insert'))));
      row.insertN = frame(sizes);
      likes++;
      likeCosts.push(await measure(async () => edit(who, 'like')));
    }
    const mean = (xs, f) => xs.reduce((s, x) => s + f(x), 0) / xs.length;
    row.insertDeliveries = mean(inserts, (m) => m.delivered);
    row.insertBytes = mean(inserts, (m) => m.bytes);
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
    while (Date.now() - t0 < lossWatch && (left = await wrong()) > 0) await sleep(50);
    row.loss = left === 0 ? { ms: Date.now() - t0 } : { wrong: left, after: Date.now() - t0 };
    for (const c of clients) c.tell({ op: 'loss', p: 0 });
  });
  let peakRss = 0;
  await phase('restart', async () => {
    peakRss = (await relay.ask('stats')).peakRss;
    relay.proc.kill('SIGKILL');
    await new Promise((resolve) => relay.proc.once('exit', resolve));
    relay = await startRelayProcess(port);
    // From the new relay listening to the end of the activity, every client back and
    // converged (which also repairs what the loss phase left behind).
    row.restart = await measure(async () => {}, async () => (await allConnected()) && (await converged()));
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
console.log(`\n5 % loss: each client loses 5 % of the messages that reach it, then every client types a character and likes once; "converged" = every replica shows every edit, with no sync() from the app (watched for ${lossWatch / 1000} s).`);
console.log('Deliveries and bytes are counted by the relay (frames it sent, WebSocket payload bytes); a phase\'s figures are what it forwarded beyond the background traffic (the join: everything until the traffic is steady).\n');
console.log('| N | client processes | join of N clients: deliveries / bytes | background, no edits: deliveries / bytes per s | insert: deliveries / bytes | like: deliveries / bytes | 1-char insert on the wire, 2 authors / N authors | reconnect of one client: deliveries / bytes / time | relay restart: deliveries / bytes / time | relay peak RSS (whole run) | 5 % loss: converged in | replica errors |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const skipped = (v) => (typeof v === 'string' ? v : undefined);
  const loss = typeof r.loss === 'string' ? r.loss : r.loss === undefined ? '–' : r.loss.ms !== undefined ? `${(r.loss.ms / 1000).toFixed(2)} s` : `not after ${(r.loss.after / 1000).toFixed(0)} s (${r.loss.wrong} of ${r.n} wrong)`;
  console.log(
    `| ${r.n} | ${r.procs} | ${cost(r.join)} | ${r.background === undefined ? '–' : `${r.background.delivered.toFixed(1)} / ${kb(r.background.bytes)}`} | ${skipped(r.edit) ?? `${r.insertDeliveries} / ${kb(r.insertBytes)}`} | ${skipped(r.edit) ?? `${r.likeDeliveries} / ${kb(r.likeBytes)}`} | ${r.insert2 ?? '–'} / ${r.insertN ?? '–'} | ${cost(r.reconnect)} | ${cost(r.restart)} | ${kb(r.rss)} | ${loss} | ${r.errors} |`,
  );
}
const notes = rows.flatMap((r) => ['join', 'insert2', 'warmup', 'edit'].filter((k) => typeof r[k] === 'string' && r[k] !== 'skipped').map((k) => `- N = ${r.n}, ${k}: ${r[k]}`));
if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
console.log(`Gossip interval: ${gossipMs === '' ? 'the Replica default' : `${gossipMs} ms`}.`);
console.log(`\nA phase is aborted after ${phaseTimeout / 1000} s without the room going quiet (or relay RSS over ${maxRss / 2 ** 20} MiB); the phases after it are skipped.`);
process.exit(0);
