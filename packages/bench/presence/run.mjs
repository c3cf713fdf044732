// pnpm bench:presence [-- --peers 20 --keys 200 --interval 100]
// Presence messages per keystroke: a real relay (startRelay) and N peers on real
// WebSockets (ws), each holding a delta-log RGA Replica and a Presence on one
// WebSocketTransport, as an editor binding would. A keystroke is one insertText and
// the caret moved after it. Counts what the presences sent and received (the sync
// traffic rides the same sockets and is not counted). Prints a Markdown table. Never
// part of the tests; no timing is asserted.
import { asReplicaId } from '@convergent/core';
import { Presence } from '@convergent/presence';
import * as RGA from '@convergent/rga';
import { Replica, startRelay, WebSocketTransport } from '@convergent/sync';
import { WebSocket } from 'ws';

const args = process.argv.slice(2).filter((a) => a !== '--');
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return Number(i >= 0 ? args[i + 1] : fallback);
};
const N = option('peers', 20);
const KEYS = option('keys', 200);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, what, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const relay = await startRelay();
const peers = [];
for (let i = 0; i < N; i++) {
  const id = asReplicaId(`peer${i}`);
  const link = new WebSocketTransport(`${relay.url}/bench`, { WebSocket });
  const replica = new Replica({ id, type: RGA, deltaLog: true });
  const presence = new Presence({ id, name: `Peer ${i}`, colour: '#336699' });
  replica.connect(link);
  presence.connect(link);
  peers.push({ id, link, replica, presence });
}
await Promise.all(peers.map((p) => p.link.opened));
await until(() => peers.every((p) => p.presence.peers.size === N - 1), 'everyone sees everyone');
await sleep(500);

const totals = () => peers.reduce((t, p) => ({ sent: t.sent + p.presence.stats.sent, received: t.received + p.presence.stats.received }), { sent: 0, received: 0 });

/** Types `KEYS` keystrokes on each of `typists`, one every `interval` ms each, then waits for the last caret to arrive. */
async function type(typists, interval) {
  const before = totals();
  const typed = () => typists.reduce((n, p) => n + p.presence.stats.sent, 0);
  const typedBefore = typed();
  for (let k = 0; k < KEYS; k++) {
    for (const p of typists) {
      p.replica.update((state, id) => RGA.insertText(state, id, RGA.length(state), 'x'));
      const head = RGA.idAt(p.replica.state, RGA.length(p.replica.state) - 1);
      p.presence.select({ anchor: head, head });
    }
    await sleep(interval);
  }
  const last = (p) => p.presence.state.selection.head;
  await until(
    () => peers.every((q) => typists.every((p) => p === q || q.presence.peers.get(p.id)?.selection?.head.counter === last(p).counter)),
    'every caret arrives',
  );
  const after = totals();
  const keystrokes = KEYS * typists.length;
  return { keystrokes, byTypists: typed() - typedBefore, sent: after.sent - before.sent, received: after.received - before.received };
}

const rows = [];
const row = (scenario, r) =>
  rows.push(
    `| ${scenario} | ${r.keystrokes} | ${r.byTypists} | ${(r.byTypists / r.keystrokes).toFixed(2)} | ${r.sent} | ${(r.received / r.keystrokes).toFixed(1)} |`,
  );
row(`1 typist, a key every 100 ms`, await type([peers[0]], 100));
row(`1 typist, a key every 20 ms`, await type([peers[0]], 20));
row(`all ${N} typing, a key every 100 ms each`, await type(peers, 100));

// A quiet room: keep-alives only.
const quiet = totals();
const quietMs = 31_000;
await sleep(quietMs);
const idle = totals();

console.log(`Presence over a real relay, ${N} peers on WebSockets, ${KEYS} keystrokes per typist\n`);
console.log('| scenario | keystrokes | sent by the typists | per keystroke per sender | sent by the room (with keep-alives) | delivered per keystroke |');
console.log('|---|---:|---:|---:|---:|---:|');
console.log(rows.join('\n'));
console.log(`\nQuiet room: ${(((idle.sent - quiet.sent) / quietMs) * 1000).toFixed(2)} presence messages sent per second for the whole room (keep-alives), ${(((idle.received - quiet.received) / quietMs) * 1000).toFixed(1)} delivered.`);

for (const p of peers) {
  p.presence.close();
  p.replica.close();
  p.link.close();
}
await relay.close();
