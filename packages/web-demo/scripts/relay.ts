// Starts the sync relay for the demo: `pnpm --filter @convergent/web-demo relay [port]`,
// (HOST=0.0.0.0 to let other machines in), then open the demo with ?relay=ws://<this host>:<port>/<room> in each browser.
import { startRelay } from '@convergent/sync';

const port = Number(process.argv[2] ?? 8787);
const relay = await startRelay({ host: process.env.HOST ?? '127.0.0.1', port });
console.log(`relay listening on ${relay.url} — open the demo with ?relay=${relay.url}/demo`);
