import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  esbuildOptions(options) {
    // Shorten the names of internal properties (never part of the public API, and
    // never the name of a built-in method) to keep the bundle within its budget.
    options.mangleProps = /^(pieces|vis|lo|hi|own|chunks|seqMax|waiting|cache|cursorCi|cursorStart|hint|fpi|tok|changed|insertBefore|tombstone|seq)$/;
  },
});
