// Bundled into the Chromium test's page: two replicas on one in-memory network, each
// bound to its own textarea, delivering every few milliseconds.
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { MemoryNetwork, Replica } from '@convergent/sync';
import { bind } from '@convergent/textarea';

const net = new MemoryNetwork();
for (const name of ['a', 'b']) {
  const replica = new Replica({ id: asReplicaId(name), type: RGA, gossipMs: 0 });
  replica.connect(net.transport(name));
  bind(document.getElementById(name) as HTMLTextAreaElement, { replica });
}
setInterval(() => net.flush(), 5);
