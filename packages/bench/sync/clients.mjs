// Several WebSocket clients of `pnpm bench:sync` in one process, each holding the web
// demo's two documents (a full-state PN-Counter and a delta-log RGA text) under one
// replica id, on one WebSocketTransport. An insert types one character at the end.
// Driven over IPC by run.mjs.
import { replicaId } from '@convergent/core';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';
import { Replica, WebSocketTransport } from '@convergent/sync';
import { WebSocket } from 'ws';

const [url, count] = [process.argv[2], Number(process.argv[3])];
// run.mjs --gossip-ms: the replicas' gossip interval (unset: the Replica default).
const gossipMs = process.argv[4] ? Number(process.argv[4]) : undefined;
let errors = 0;
const onError = () => errors++;
/** Probability that an arriving message is lost (the bench's 5 % loss phase). */
let loss = 0;
/** While set, the size of every message sent. */
let sizes;

/** The transport as the replicas see it: arriving messages are lost with probability `loss`. */
const lossy = (link) => ({
  get connected() {
    return link.connected;
  },
  send: (bytes, options) => {
    sizes?.push(bytes.length);
    link.send(bytes, options);
  },
  listen: (handlers) =>
    link.listen({
      message: (bytes, sender) => Math.random() >= loss && handlers.message(bytes, sender),
      status: (up) => handlers.status(up),
    }),
});

function attach(client) {
  client.link = new WebSocketTransport(url, { WebSocket, reconnectMs: 100, maxReconnectMs: 2000 });
  const link = lossy(client.link);
  client.stops = [client.text, client.likes].map((replica) => replica.connect(link));
}

const clients = Array.from({ length: count }, () => {
  const id = replicaId();
  const client = {
    text: new Replica({ id, type: RGA, doc: 'text', deltaLog: true, onError, gossipMs }),
    likes: new Replica({ id, type: PNCounter, doc: 'likes', onError, gossipMs }),
  };
  attach(client);
  return client;
});

// FNV-1a over the text: equal texts, equal digests.
function digest(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const edit = (client, what) => {
  if (what === 'like') client.likes.update((s, id) => PNCounter.increment(s, id));
  else client.text.update((s, id) => RGA.insertText(s, id, RGA.text(s).length, 'x'));
};

process.on('message', (m) => {
  if (m.op === 'edit' && m.sizes) {
    // What the update sends at once; a replica that sends later: its first message within 50 ms.
    sizes = [];
    edit(clients[m.index], m.what);
    if (sizes.length > 0) {
      process.send({ sizes });
      sizes = undefined;
    } else
      setTimeout(() => {
        process.send({ sizes: sizes.slice(0, 1) });
        sizes = undefined;
      }, 50);
  } else if (m.op === 'edit') edit(clients[m.index], m.what);
  else if (m.op === 'loss') loss = m.p;
  else if (m.op === 'editAll') clients.forEach((c) => m.what.forEach((w) => edit(c, w)));
  else if (m.op === 'reconnect') {
    const client = clients[m.index];
    client.stops.forEach((stop) => stop());
    client.link.close();
    attach(client);
  } else if (m.op === 'report') {
    process.send({
      connected: clients.filter((c) => c.link.connected).length,
      errors,
      states: clients.map((c) => {
        const text = RGA.text(c.text.state);
        return { likes: PNCounter.value(c.likes.state), length: text.length, digest: digest(text) };
      }),
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
