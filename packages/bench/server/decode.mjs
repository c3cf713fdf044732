// The cold decode of a document for `pnpm bench:server`: argv a file holding an RGA
// encoding; a fresh process decodes it once and reports the time (wall, and CPU of all its threads).
import { readFileSync } from 'node:fs';
import * as RGA from '@convergent/rga';

const bytes = readFileSync(process.argv[2]);
const cpu = process.cpuUsage();
const start = performance.now();
const state = RGA.decode(bytes);
const ms = performance.now() - start;
const { user, system } = process.cpuUsage(cpu);
process.send({ ms, cpuMs: (user + system) / 1000, length: RGA.length(state) });
process.on('disconnect', () => process.exit(0));
