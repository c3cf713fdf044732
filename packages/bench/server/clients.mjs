// Client processes of `pnpm bench:server`: many text replicas (RGA, delta log), each on
// its own WebSocket to one document. Client k of a document starts on server k % 2 of
// the ports given and fails over to the other on each new attempt. Driven over IPC.
import { replicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { Replica, WebSocketTransport } from '@convergent/sync';
import { WebSocket } from 'ws';

const ports = JSON.parse(process.argv[2]);
// Long gossip: the figures count what the edits and reconnects cost, not background rounds.
const gossipMs = Number(process.argv[3] ?? 30_000);
const clients = [];
let errors = 0;

function connect(doc, k) {
  let attempt = k;
  const link = new WebSocketTransport(() => `ws://127.0.0.1:${ports[attempt++ % ports.length]}/${encodeURIComponent(doc)}`, { WebSocket, reconnectMs: 100, maxReconnectMs: 1000 });
  const replica = new Replica({ id: replicaId(), type: RGA, doc, deltaLog: true, gossipMs, onError: () => errors++ });
  replica.connect(link);
  return { doc, link, replica };
}

const type = (c, text) => c.replica.update((s, id) => RGA.insertText(s, id, RGA.length(s), text));

process.on('message', async (m) => {
  if (m.op === 'open') {
    // m.docs: [name, index of its first client here, clients here][]
    for (const [doc, first, count] of m.docs) for (let k = 0; k < count; k++) clients.push(connect(doc, first + k));
    process.send({ ok: true });
  } else if (m.op === 'edit') {
    for (const c of clients) type(c, 'x');
    process.send({ ok: true });
  } else if (m.op === 'paper') {
    // The automerge-paper trace as one batch edit by one client: its final text in one delta.
    const { loadTrace } = await import('../../../test/traces/load.ts');
    const trace = loadTrace('automerge-paper');
    const c = clients[0];
    c.replica.update((s, id) =>
      RGA.edit(s, id, (e) => {
        for (const txn of trace.txns)
          for (const [pos, del, ins] of txn.patches) {
            if (del > 0) e.deleteText(pos, del);
            if (ins !== '') e.insertText(pos, ins);
          }
      }).delta,
    );
    process.send({ length: trace.endContent.length, ok: RGA.text(c.replica.state) === trace.endContent });
  } else if (m.op === 'length') {
    // Answers once every client here holds m.length characters: no polling while a
    // measurement runs (on a loaded machine, the polls would compete with it).
    const waiting = clients.filter((c) => RGA.length(c.replica.state) < m.length);
    if (waiting.length === 0) return process.send({ ok: true });
    let left = waiting.length;
    for (const c of waiting) {
      const stop = c.replica.subscribe((state) => {
        if (RGA.length(state) < m.length) return;
        stop();
        if (--left === 0) process.send({ ok: true });
      });
    }
  } else if (m.op === 'report') {
    process.send({
      connected: clients.filter((c) => c.link.connected).length,
      acked: clients.filter((c) => Math.max(0, ...c.replica.acknowledged.values()) >= (m.acked ?? 0)).length,
      lengths: clients.map((c) => [c.doc, RGA.length(c.replica.state)]),
      errors,
    });
  } else if (m.op === 'close') {
    for (const c of clients.splice(0)) {
      c.replica.close();
      c.link.close();
    }
    process.send({ ok: true });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
