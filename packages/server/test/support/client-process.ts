// A child process with `clients` replicas of one text document on a server: each
// types `chars` characters, then waits until it sees `expect` characters in all and
// every one of its own changes acknowledged, and prints what it saw as JSON.
// Usage: tsx client-process.ts <url> <doc> <clients> <chars> <expect>
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { Replica, WebSocketTransport } from '@convergent/sync';
import { WebSocket } from 'ws';

const [url, doc, clients, chars, expected] = process.argv.slice(2) as [string, string, string, string, string];
const replicas = Array.from({ length: Number(clients) }, (_, i) => {
  const replica = new Replica({ id: asReplicaId(`p${process.pid}-${i}`), type: RGA, doc, deltaLog: true, gossipMs: 200 });
  const link = new WebSocketTransport(`${url}${encodeURIComponent(doc)}?user=p${process.pid}`, { WebSocket, reconnectMs: 100 });
  replica.connect(link);
  return { replica, link };
});
await Promise.all(replicas.map(({ link }) => link.opened));
for (let n = 0; n < Number(chars); n++) {
  for (const { replica } of replicas) replica.update((s, id) => RGA.insertText(s, id, RGA.length(s), String.fromCharCode(97 + (n % 26))));
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const done = () => replicas.every(({ replica }) => RGA.length(replica.state) === Number(expected) && Math.max(0, ...replica.acknowledged.values()) === Number(chars));
const deadline = Date.now() + 30_000;
while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
process.stdout.write(JSON.stringify({ texts: replicas.map(({ replica }) => RGA.text(replica.state)), acked: replicas.map(({ replica }) => Math.max(0, ...replica.acknowledged.values())) }));
for (const { replica, link } of replicas) {
  replica.close();
  link.close();
}
