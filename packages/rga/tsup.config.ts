import base from '../../tsup.config.base';
import { defineConfig } from 'tsup';

export default defineConfig({
  ...base,
  esbuildOptions(options) {
    // Shorten the names of internal properties (never part of the public API, and
    // never the name of a built-in method) to keep the bundle within its budget.
    options.mangleProps = /^(pieces|vis|lo|hi|own|chunks|seqMax|waiting|cache|hint|fpi|tok|changed|tombstone|seq|chain|tipOf|lastR|lastC|tipR|tipC|depth|entries|back|up|locate|place|append|cacheCi|cacheStart|after|scan|listed|spans|starts|ends|check|findPiece|addPiece|toDoc|clock|pieceCount|or|oc|ids|pend|released|placed|bits|ix|release|total|byOrigin|doc)$/;
  },
});
