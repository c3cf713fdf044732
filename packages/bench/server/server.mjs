// One server process of `pnpm bench:server`: argv port, 'leveldb' <folder> | 'redis' <url>,
// unloadMs, its index among the processes. Text documents (RGA, delta log) under every
// name; limits raised so that thousands of localhost clients fit. Answers IPC requests: stats (the server's
// counters), memory (after GC; with HEAPSNAP=<folder> it then writes a heap snapshot
// there, snap-<n>.heapsnapshot, for heap-diff.mjs; the many-documents workload reads 1 the
// baseline, then with clients, loaded, unloaded for each of its cycles: 2-4, 5-7, …; the
// second Redis process's are snap-<n>-p1), restores (how long each document load took:
// the store's load and the replay into the replica, as the server does it, and for named
// documents until the first answer frame), burst (errors by kind, the most appends in
// flight and the slowest, the longest event-loop stall; then reset), close (graceful).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import * as RGA from '@convergent/rga';
import { RedisFanout, RedisStore } from '@convergent/redis';
import { allowAnyone, LevelDbStore, startServer } from '@convergent/server';
import { WebSocket } from 'ws';

const [port, kind, where, unloadMs, index = '0'] = process.argv.slice(2);
// Errors by kind (logged errors by event, Redis connection errors), the first of each in full.
const errors = {};
const noteError = (kind, detail) => {
  errors[kind] = (errors[kind] ?? 0) + 1;
  if (errors[kind] === 1) process.stderr.write(`server ${process.pid}, first ${kind}: ${detail}\n`);
};
const onError = (error) => noteError(`redis-connection ${error?.name}`, String(error?.stack ?? error));
const inner = kind === 'leveldb' ? await LevelDbStore.open(where) : await RedisStore.connect({ url: where, onError });
const innerFanout = kind === 'redis' ? await RedisFanout.connect({ url: where, onError }) : undefined;
const appends = { inFlight: 0, mostInFlight: 0, slowestMs: 0 };
const loop = monitorEventLoopDelay({ resolution: 20 });
loop.enable();
// Restores: how long the store's read took, and the whole load (read + replay into the
// replica). Small documents are summed, not logged one by one: a log entry per load
// would be counted as the server's memory per unloaded document.
const restores = { count: 0, readMs: 0, totalMs: 0, named: [] };
// When the replay of a named document ends: its first merge after the load (into the
// replica's empty state); and how long the type's decode took in it. The setImmediate
// below runs later, after the server has also answered the client that asked for the document.
const merged = new Map();
const decoding = new Map();
const typeOf = (doc) => {
  if (doc.startsWith('doc-')) return RGA;
  return {
    ...RGA,
    decode(bytes, limits) {
      const start = performance.now();
      const state = RGA.decode(bytes, limits);
      if (merged.get(doc) === null) decoding.set(doc, (decoding.get(doc) ?? 0) + performance.now() - start);
      return state;
    },
    merge(a, b) {
      const value = RGA.merge(a, b);
      if (merged.get(doc) === null) merged.set(doc, performance.now());
      return value;
    },
  };
};
// When the first frame written after a named document's load started left: the server's
// first answer to the client that caused the load (the only client of a fresh process).
// `ws` is one module instance here and in the server, so this sees every frame it writes.
// And when the first frame after the load's start came in: the client's request, which the
// server answers once the replay is done (a slow client can make it wait).
let firstFrame; // the resolver of the pending load's first frame
let firstRequest; // likewise, for the first frame received
const emit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function (event, ...rest) {
  if (event === 'message' && firstRequest) {
    firstRequest(performance.now());
    firstRequest = undefined;
  }
  return emit.call(this, event, ...rest);
};
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data, ...rest) {
  // (A pong is 1 byte.)
  if (firstFrame && data.length > 1) {
    firstFrame({ at: performance.now(), cpu: process.cpuUsage(), bytes: data.length });
    firstFrame = undefined;
  }
  return send.call(this, data, ...rest);
};
// CONVERGENT_BENCH_PROFILE=<folder>: a CPU profile of each named load, from its start to
// its first answer frame, written there (open it in Chrome's DevTools).
const profileDir = process.env.CONVERGENT_BENCH_PROFILE;
const profiler = profileDir ? new (await import('node:inspector/promises')).Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
}
// A load starts with the fan-out subscription (Redis), then reads the store. Wall and CPU
// time (this process's, all its threads) from then on.
const starts = new Map();
const now = () => ({ at: performance.now(), cpu: process.cpuUsage() });
const begin = (doc) => ({ ...now(), request: doc.startsWith('doc-') ? undefined : new Promise((resolve) => (firstRequest = resolve)) });
const cpuMs = (from, to) => (to.user + to.system - from.user - from.system) / 1000;
const fanout = innerFanout && {
  subscribe(doc, onDelta) {
    starts.set(doc, begin(doc));
    return innerFanout.subscribe(doc, onDelta);
  },
  publish: (doc, delta) => innerFanout.publish(doc, delta),
  publishPresence: (doc, frame) => innerFanout.publishPresence(doc, frame),
  subscribePresence: (doc, onFrame) => innerFanout.subscribePresence(doc, onFrame),
  close: () => innerFanout.close(),
};
// The server replays a loaded document synchronously once `load` resolved: a
// setImmediate after it runs once the replica holds the document.
const store = {
  load(doc) {
    const startedAt = starts.get(doc) ?? begin(doc);
    const reading = performance.now();
    const start = startedAt.at;
    starts.delete(doc);
    merged.set(doc, null); // a load: note its first merge
    const named = !doc.startsWith('doc-');
    const frame = named ? new Promise((resolve) => (firstFrame = resolve)) : undefined;
    if (named && profiler) void profiler.post('Profiler.start');
    const loaded = inner.load(doc);
    loaded.then(
      () => {
        const readMs = performance.now() - reading;
        setImmediate(() => {
          const totalMs = performance.now() - start;
          if (doc.startsWith('doc-')) {
            restores.count++;
            restores.readMs += readMs;
            restores.totalMs += totalMs;
          } else {
            const entry = { doc, subscribedMs: reading - start, readMs, decodeMs: decoding.get(doc), replayedMs: (merged.get(doc) ?? Number.NaN) - start, ms: totalMs };
            decoding.delete(doc);
            restores.named.push(entry);
            // The first answer may leave after this: the client's request can arrive later.
            void Promise.all([frame, startedAt.request]).then(([{ at, cpu, bytes }, asked]) => {
              entry.askedMs = asked - start;
              entry.answeredMs = at - start;
              entry.answeredCpuMs = cpuMs(startedAt.cpu, cpu);
              entry.answerBytes = bytes;
              if (profiler) void stopProfile(doc);
            });
          }
          merged.delete(doc);
        });
      },
      () => {},
    );
    return loaded;
  },
  append(doc, delta) {
    const start = performance.now();
    appends.mostInFlight = Math.max(appends.mostInFlight, ++appends.inFlight);
    const appended = inner.append(doc, delta);
    const done = () => {
      appends.inFlight--;
      appends.slowestMs = Math.max(appends.slowestMs, performance.now() - start);
    };
    appended.then(done, done);
    return appended;
  },
  compact: (doc, state, through) => inner.compact(doc, state, through),
  delete: (doc) => inner.delete(doc),
  documents: () => inner.documents(),
  bind: (replica, identity) => inner.bind(replica, identity),
  release: (doc) => inner.release?.(doc),
  close: () => inner.close(),
};
async function stopProfile(doc) {
  const { profile } = await profiler.post('Profiler.stop');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${profileDir}/${doc}-${process.pid}.cpuprofile`, JSON.stringify(profile));
}
const big = 1 << 26;
const server = await startServer({
  port: Number(port),
  documents: (doc) => ({ type: typeOf(doc), deltaLog: true }),
  authenticate: allowAnyone,
  store,
  ...(fanout ? { fanout } : {}),
  unloadMs: Number(unloadMs),
  limits: {
    maxConnections: 1e6,
    maxConnectionsPerAddress: 1e6,
    messagesPerSecondPerAddress: 1e9,
    bytesPerSecondPerAddress: 1e12,
    messagesPerSecond: 1e6,
    bytesPerSecond: 1e12,
    maxMessageBytes: big,
    maxQueuedBytes: big,
  },
  syncLimits: { maxMessageBytes: big, maxStateBytes: big },
  logger: (entry) => {
    if (entry.level === 'error') noteError(`${entry.event} ${entry.error?.name}`, JSON.stringify({ ...entry, error: entry.error instanceof Error ? entry.error.stack : String(entry.error) }));
  },
});

const counters = () => {
  const values = {};
  for (const line of server.metrics().split('\n')) {
    const m = /^convergent_(\w+?)(?:_total)? (\S+)$/.exec(line);
    if (m) values[m[1]] = Number(m[2]);
  }
  return values;
};
let snaps = 0;
const memory = async () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const m = process.memoryUsage();
  // After the reading, so that the snapshot's own allocations are not counted in it.
  if (process.env.HEAPSNAP) writeHeapSnapshot(`${process.env.HEAPSNAP}/snap-${++snaps}${index === '0' ? '' : `-p${index}`}.heapsnapshot`);
  return { heap: m.heapUsed + m.external, rss: m.rss };
};

process.on('message', async (m) => {
  if (m === 'stats') process.send(counters());
  else if (m === 'memory') process.send(await memory());
  else if (m === 'restores') process.send(restores);
  else if (m === 'burst') {
    process.send({ errors: { ...errors }, mostInFlight: appends.mostInFlight, slowestMs: appends.slowestMs, loopMaxMs: loop.max / 1e6 });
    for (const kind of Object.keys(errors)) delete errors[kind];
    Object.assign(appends, { mostInFlight: appends.inFlight, slowestMs: 0 });
    loop.reset();
  }
  else if (m === 'close') {
    await server.close();
    process.send('closed');
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ port: server.port });
