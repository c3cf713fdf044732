// One relay for `pnpm bench:sync`, in its own process so that its memory is its own.
// argv: port. Answers "stats" over IPC with its counters and resident memory.
import { startRelay } from '@convergent/sync';

const relay = await startRelay({ port: Number(process.argv[2]), maxClients: 10_000 });
let peakRss = process.memoryUsage.rss();
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50).unref();
process.on('message', () => {
  const rss = process.memoryUsage.rss();
  peakRss = Math.max(peakRss, rss);
  process.send({ ...relay.stats, clients: relay.clients, rss, peakRss });
});
process.on('disconnect', () => process.exit(0));
process.send({ port: relay.port });
