import { canonicalKey, DecodeError, type JsonValue } from '@convergent/core';
import * as fc from 'fast-check';
import { Network } from './network.js';
import type { CrdtSpec } from './spec.js';
import { replicaIds, universe, type Held, type Universe } from './universe.js';

/**
 * One law, ready to run: `run()` returns quietly when the law holds and throws
 * fast-check's counterexample report when it does not.
 *
 * @example
 * ```ts
 * import { laws, maxRegisterSpec, type Law } from '@convergent/laws';
 *
 * const idempotent: Law = laws(maxRegisterSpec).find((law) => law.name === 'idempotent')!;
 * idempotent.run();
 * idempotent.name; // => 'idempotent'
 * ```
 */
export interface Law {
  /** The law's name, as in the laws table of this package's README (`commutative`, `codec`, …). */
  readonly name: string;
  /** Checks the law; throws on a counterexample. */
  run(): void;
}

/**
 * Options for {@link laws}.
 *
 * @example
 * ```ts
 * import type { LawOptions } from '@convergent/laws';
 *
 * const thorough: LawOptions = { numRuns: 1000, seed: 42 };
 * thorough.numRuns; // => 1000
 * ```
 */
export interface LawOptions {
  /** Random cases per law (default 100). */
  readonly numRuns?: number;
  /** Seed, to replay a failure. */
  readonly seed?: number;
  /** Longest simulated history (default 24 steps). */
  readonly maxSteps?: number;
}

/**
 * The name of one law of the kit.
 *
 * @example
 * ```ts
 * import type { LawName } from '@convergent/laws';
 *
 * const name: LawName = 'associative';
 * name; // => 'associative'
 * ```
 */
export type LawName =
  | 'commutative'
  | 'associative'
  | 'idempotent'
  | 'identity'
  | 'order'
  | 'inflation'
  | 'convergence'
  | 'network convergence'
  | 'codec'
  | 'json codec'
  | 'decoder rejects bad input'
  | 'purity'
  | 'authorship'
  | 'merge validation';

// The order laws() returns them in.
const LAW_NAMES: readonly LawName[] = [
  'commutative',
  'associative',
  'idempotent',
  'identity',
  'order',
  'inflation',
  'convergence',
  'network convergence',
  'codec',
  'json codec',
  'decoder rejects bad input',
  'purity',
  'authorship',
  'merge validation',
];

/**
 * Every law of the package README's table for one CRDT, checked on reachable states (simulated
 * replicas with distinct ids, random operations, random merges) and compared with
 * the type's own `equals`. Hand each to your test runner:
 * `for (const law of laws(spec)) test(law.name, () => law.run())`.
 *
 * @param spec - the type under test
 * @param options - number of runs, seed, history length
 * @returns the laws, one per name in {@link LawName} (`authorship` and `merge
 * validation` only when the spec gives `authors` and `validateMerge`)
 *
 * @example
 * ```ts
 * import { laws, maxRegisterSpec } from '@convergent/laws';
 *
 * const all = laws(maxRegisterSpec, { numRuns: 25 });
 * all.map((law) => law.name).includes('convergence'); // => true
 * for (const law of all) law.run();
 * ```
 */
export function laws<S, Op>(spec: CrdtSpec<S, Op>, options: LawOptions = {}): Law[] {
  const { lattice } = spec;
  const { merge, leq, equals, bottom } = lattice;
  const params: fc.Parameters<unknown> = {
    numRuns: options.numRuns ?? 100,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  const worlds = universe(spec, options.maxSteps);
  const pick = (u: Universe<S>, i: number): Held<S> => u.pool[i % u.pool.length]!;
  const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  const i = fc.nat();

  // Each law is built lazily, so only the laws that run pay for their setup.
  const check =
    <T extends [unknown, ...unknown[]]>(property: () => fc.IProperty<T>) =>
    (): void =>
      fc.assert(property(), params as fc.Parameters<T>);

  const properties: Record<LawName, () => void> = {
    commutative: check(() => fc.property(worlds, i, i, (u, x, y) => {
      const a = pick(u, x).state;
      const b = pick(u, y).state;
      return equals(merge(a, b), merge(b, a));
    })),
    associative: check(() => fc.property(worlds, i, i, i, (u, x, y, z) => {
      const [a, b, c] = [pick(u, x).state, pick(u, y).state, pick(u, z).state];
      return equals(merge(merge(a, b), c), merge(a, merge(b, c)));
    })),
    idempotent: check(() => fc.property(worlds, i, (u, x) => {
      const a = pick(u, x).state;
      return equals(merge(a, a), a);
    })),
    identity: check(() => fc.property(worlds, i, (u, x) => {
      const a = pick(u, x).state;
      return equals(merge(bottom, a), a) && equals(merge(a, bottom), a);
    })),
    order: check(() => fc.property(worlds, i, i, (u, x, y) => {
      const a = pick(u, x).state;
      const b = pick(u, y).state;
      return leq(a, b) === equals(merge(a, b), b) && leq(a, merge(a, b)) && leq(b, merge(a, b));
    })),
    inflation: check(() => fc.property(worlds, i, spec.operation, (u, x, op) => {
      const { state, replica } = pick(u, x);
      return leq(state, merge(state, spec.mutate(state, op, replica)));
    })),
    convergence: check(() => fc.property(
      worlds.filter((u) => u.deltas.length > 0),
      fc.array(i, { minLength: 1, maxLength: 8 }),
      fc.array(i, { minLength: 1, maxLength: 8 }),
      (u, extra1, extra2) => {
        // Two fresh replicas receive every delta, shuffled, some twice.
        const deliver = (seed: number[]): S => {
          const order = u.deltas.map((_, k) => k).concat(seed.map((k) => k % u.deltas.length));
          const keyed = order.map((k, n) => ({ k, key: (seed[n % seed.length]! * 7919 + n * 104729) % 1000003 }));
          keyed.sort((p, q) => p.key - q.key);
          return keyed.reduce((s, { k }) => merge(s, u.deltas[k]!), bottom);
        };
        const x = deliver(extra1);
        const y = deliver(extra2);
        const all = u.finals.reduce(merge, bottom);
        return equals(x, y) && equals(x, u.deltas.reduce(merge, bottom)) && leq(all, x);
      },
    )),
    'network convergence': check(() => fc.property(
      replicaIds,
      fc.integer(),
      fc.array(fc.tuple(i, spec.operation), { minLength: 1, maxLength: 16 }),
      (replicas, seed, ops) => {
        // Lossy links and a partition that heals halfway; anti-entropy must still converge.
        const net = new Network({ lattice, replicas, seed, drop: 0.3, duplicate: 0.2, maxDelay: 4 });
        const half = Math.ceil(replicas.length / 2);
        net.partition(replicas.slice(0, half), replicas.slice(half));
        ops.forEach(([at, op], n) => {
          net.update(replicas[at % replicas.length]!, (state, replica) => spec.mutate(state, op, replica));
          if (n === ops.length >> 1) net.heal();
          net.tick();
        });
        net.settle();
        return net.converged();
      },
    )),
    codec: check(() => fc.property(worlds, i, i, (u, x, y) => {
      const a = pick(u, x).state;
      const b = pick(u, y).state;
      const bytes = spec.encode(a);
      const back = spec.decode(bytes);
      // Encodings are canonical: states are equal exactly when their bytes are, whatever
      // order built them. This also catches an `equals` that is too lenient.
      return (
        equals(back, a) &&
        bytesEqual(spec.encode(back), bytes) &&
        bytesEqual(spec.encode(merge(a, b)), spec.encode(merge(b, a))) &&
        equals(a, b) === bytesEqual(bytes, spec.encode(b))
      );
    })),
    'json codec': check(() => fc.property(worlds, i, (u, x) => {
      const a = pick(u, x).state;
      return equals(spec.fromJSON(JSON.parse(JSON.stringify(spec.toJSON(a)))), a);
    })),
    'decoder rejects bad input': check(() => fc.property(worlds, i, byteMutation, jsonInput, (u, x, mutate, json) => {
      const a = pick(u, x).state;
      const accepts = (decode: () => S, canonical: (decoded: S) => boolean): boolean => {
        let decoded: S;
        try {
          decoded = decode();
        } catch (error) {
          if (error instanceof DecodeError) return true;
          throw error;
        }
        // Whatever is accepted must be a state that survives its own round trip, and
        // must be that state's one encoding: input is canonical, unknown keys included.
        return equals(spec.decode(spec.encode(decoded)), decoded) && canonical(decoded);
      };
      const bytes = mutate(spec.encode(a));
      const mutatedJson = json.mutate(JSON.parse(JSON.stringify(spec.toJSON(a))) as unknown);
      return (
        accepts(() => spec.decode(bytes), (decoded) => bytesEqual(spec.encode(decoded), bytes)) &&
        accepts(() => spec.fromJSON(mutatedJson), (decoded) => sameJson(spec.toJSON(decoded), mutatedJson))
      );
    })),
    purity: check(() => fc.property(worlds, i, i, spec.operation, (u, x, y, op) => {
      const a = pick(u, x);
      const b = pick(u, y).state;
      const before = [spec.encode(a.state), spec.encode(b)];
      merge(a.state, b);
      spec.mutate(a.state, op, a.replica);
      return bytesEqual(spec.encode(a.state), before[0]!) && bytesEqual(spec.encode(b), before[1]!);
    })),
    authorship: check(() => fc.property(worlds, i, spec.operation, (u, x, op) => {
      const { state, replica } = pick(u, x);
      const delta = spec.mutate(state, op, replica);
      return [...spec.authors!(delta), ...spec.authors!(delta, state)].every((id) => id === replica);
    })),
    'merge validation': check(() => fc.property(worlds, i, i, (u, x, y) => {
      // Any reachable state receiving any reachable state or delta (the pool holds both).
      spec.validateMerge!(pick(u, x).state, pick(u, y).state);
      return true;
    })),
  };

  // The two optional capabilities have a law only when the spec gives them.
  const given: Partial<Record<LawName, unknown>> = { authorship: spec.authors, 'merge validation': spec.validateMerge };
  return LAW_NAMES.filter((name) => !(name in given) || given[name] !== undefined).map((name) => ({
    name,
    run: properties[name],
  }));
}

const byteMutation: fc.Arbitrary<(bytes: Uint8Array) => Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((random) => () => random),
  fc.nat().map((at) => (bytes: Uint8Array) => bytes.slice(0, at % (bytes.length + 1))),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, flip]) => (bytes: Uint8Array) => {
    const copy = bytes.slice();
    if (copy.length > 0) copy[at % copy.length]! ^= flip;
    return copy;
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 9 })).map(([at, extra]) => (bytes: Uint8Array) => {
    const k = at % (bytes.length + 1);
    return new Uint8Array([...bytes.slice(0, k), ...extra, ...bytes.slice(k)]);
  }),
);

// Equal as JSON documents, whatever the order of object keys.
const sameJson = (a: unknown, b: unknown): boolean => {
  const normal = (x: unknown) => canonicalKey(JSON.parse(JSON.stringify(x) ?? 'null') as JsonValue);
  return normal(a) === normal(b);
};

const hostile = fc.constantFrom<unknown>(
  '__proto__', 'constructor', '', -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, null, [], {}, 'x'.repeat(300), true,
);

type Node = Record<string | number, unknown>;

// Every object and array in a JSON document, each with its keys.
const nodes = (json: unknown): Array<{ node: Node; keys: Array<string | number> }> => {
  const found: Array<{ node: Node; keys: Array<string | number> }> = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node).map((key) => (Array.isArray(node) ? Number(key) : key));
    found.push({ node: node as Node, keys });
    for (const key of keys) walk((node as Node)[key]);
  };
  walk(json);
  return found;
};

// A random JSON document; the state's own JSON with one leaf swapped for a hostile
// value; or with one unknown key added to one of its objects.
const jsonInput: fc.Arbitrary<{ mutate: (json: unknown) => unknown }> = fc.oneof(
  fc.jsonValue().map((random) => ({ mutate: () => random })),
  fc.tuple(fc.nat(), hostile).map(([at, value]) => ({
    mutate: (json: unknown) => {
      const leaves = nodes(json).flatMap(({ node, keys }) => keys.map((key) => ({ node, key })));
      if (leaves.length === 0) return value;
      const leaf = leaves[at % leaves.length]!;
      leaf.node[leaf.key] = value;
      return json;
    },
  })),
  fc.tuple(fc.nat(), fc.constantFrom('extra', 'v2', '__proto__', ''), hostile).map(([at, key, value]) => ({
    mutate: (json: unknown) => {
      const objects = nodes(json).filter(({ node }) => !Array.isArray(node));
      if (objects.length === 0) return json;
      Object.defineProperty(objects[at % objects.length]!.node, key, { value, enumerable: true, configurable: true, writable: true });
      return json;
    },
  })),
);
