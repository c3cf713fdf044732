// How hard the law tests push. `pnpm test` leaves these variables unset (the kit's
// defaults); `pnpm test:extended` (vitest.extended.config.ts) sets them, so the same
// test files scale up instead of being copied.
const positive = (name: string): number | undefined => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, not ${raw}`);
  return n;
};
const runs = positive('CONVERGENT_LAW_RUNS');
const seeds = positive('CONVERGENT_SCENARIO_SEEDS');

/** Options for `laws(spec, lawScale)`: `CONVERGENT_LAW_RUNS` random cases per law. */
export const lawScale: { readonly numRuns?: number } = runs === undefined ? {} : { numRuns: runs };

/** Options for `scenarios(spec, scenarioScale)`: `CONVERGENT_SCENARIO_SEEDS` seeds per scenario. */
export const scenarioScale: { readonly seeds?: number } = seeds === undefined ? {} : { seeds };
