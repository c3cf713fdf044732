import * as fc from 'fast-check';
import type { Law } from './laws.js';
import { Network } from './network.js';
import type { CrdtSpec } from './spec.js';
import { replicaIds } from './universe.js';

/**
 * The name of one network scenario of {@link scenarios}.
 *
 * @example
 * ```ts
 * import type { ScenarioName } from '@convergent/laws';
 *
 * const name: ScenarioName = 'partition';
 * name; // => 'partition'
 * ```
 */
export type ScenarioName = 'drop' | 'duplicate' | 'reorder' | 'partition';

/**
 * Options for {@link scenarios}.
 *
 * @example
 * ```ts
 * import type { ScenarioOptions } from '@convergent/laws';
 *
 * const thorough: ScenarioOptions = { seeds: 1000 };
 * thorough.seeds; // => 1000
 * ```
 */
export interface ScenarioOptions {
  /** How many seeds each scenario runs, one simulated network per seed (default 20). */
  readonly seeds?: number;
  /** The first seed; a scenario runs seeds `firstSeed`, `firstSeed + 1`, … (default 1). */
  readonly firstSeed?: number;
  /** Most operations per run (default 24). */
  readonly operations?: number;
}

// How each scenario's links misbehave, and whether delta delivery alone must converge.
const FAULTS: Record<ScenarioName, { drop?: number; duplicate?: number; maxDelay?: number; lossy: boolean }> = {
  drop: { drop: 0.4, lossy: true },
  duplicate: { duplicate: 0.5, lossy: false },
  reorder: { maxDelay: 8, lossy: false },
  partition: { lossy: true },
};

/**
 * The simulator's fault scenarios for one CRDT, one {@link Law} each: `drop`,
 * `duplicate`, `reorder` and `partition`. Each runs `seeds` seeded networks of 2 to
 * 4 replicas doing random operations while their links misbehave, then checks that
 * every replica holds the join of every delta produced. Without loss (`duplicate`,
 * `reorder`) the deltas alone must get there; with loss (`drop`, and a partition
 * that heals halfway) anti-entropy runs first. A failure names its seed.
 *
 * @param spec - the type under test
 * @param options - how many seeds, from which, how many operations
 * @returns the four scenarios, in the order of {@link ScenarioName}
 *
 * @example
 * ```ts
 * import { maxRegisterSpec, scenarios } from '@convergent/laws';
 *
 * const all = scenarios(maxRegisterSpec, { seeds: 5 });
 * all.map((s) => s.name).join(' '); // => 'drop duplicate reorder partition'
 * for (const scenario of all) scenario.run();
 * ```
 */
export function scenarios<S, Op>(spec: CrdtSpec<S, Op>, options: ScenarioOptions = {}): Law[] {
  const { seeds = 20, firstSeed = 1, operations = 24 } = options;
  const { lattice } = spec;
  const history = fc.record({
    replicas: replicaIds,
    ops: fc.array(fc.tuple(fc.nat(), spec.operation), { minLength: 1, maxLength: operations }),
  });

  const runOne = (name: ScenarioName, seed: number): void => {
    const { lossy, ...links } = FAULTS[name];
    // The history and the links both follow from the seed, so one seed replays a failure.
    const { replicas, ops } = fc.sample(history, { seed, numRuns: 1 })[0]!;
    const net = new Network({ lattice, replicas, seed, ...links });
    if (name === 'partition') net.partition(replicas.slice(0, 1), replicas.slice(1));
    let all = lattice.bottom;
    ops.forEach(([at, op], n) => {
      all = lattice.merge(all, net.update(replicas[at % replicas.length]!, (state, replica) => spec.mutate(state, op, replica)));
      if (name === 'partition' && n === ops.length >> 1) net.heal();
      net.tick();
    });
    if (lossy) net.settle();
    else while (net.inFlight > 0) net.tick();
    const wrong = replicas.find((replica) => !lattice.equals(net.state(replica), all));
    if (wrong !== undefined)
      throw new Error(`${spec.name}, ${name} scenario, seed ${seed}: replica ${wrong} does not hold the join of every delta`);
  };

  return (Object.keys(FAULTS) as ScenarioName[]).map((name) => ({
    name,
    run: () => {
      for (let seed = firstSeed; seed < firstSeed + seeds; seed++) runOne(name, seed);
    },
  }));
}
