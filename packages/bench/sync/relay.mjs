// One relay for `pnpm bench:sync`, in its own process so that its memory is its own.
// argv: port drop. Answers "stats" over IPC with its counters and resident memory.
import { startRelay } from '@convergent/sync';

const [port, drop] = process.argv.slice(2).map(Number);
const relay = await startRelay({ port, drop, maxClients: 10_000 });
let peakRss = process.memoryUsage.rss();
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50).unref();
process.on('message', () => {
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
  process.send({ ...relay.stats, clients: relay.clients, rss, peakRss });
});
process.on('disconnect', () => process.exit(0));
process.send({ port: relay.port });
