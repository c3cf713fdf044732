// @ts-expect-error plain ESM script without type declarations
import { generate } from './doctest-gen.mjs';

/** Vitest global setup: extract the TSDoc examples before test files are collected. */
export default function setup(): void {
  generate();
}
