// The cold decode of a document for `pnpm bench:server`: argv a file holding an RGA
// encoding; a fresh process decodes it once and reports the time.
import { readFileSync } from 'node:fs';
import * as RGA from '@convergent/rga';

const bytes = readFileSync(process.argv[2]);
const start = performance.now();
const state = RGA.decode(bytes);
const ms = performance.now() - start;
process.send({ ms, length: RGA.length(state) });
process.on('disconnect', () => process.exit(0));
