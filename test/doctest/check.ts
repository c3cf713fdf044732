import { deepStrictEqual } from 'node:assert/strict';

/** The assertion that `expr; // => expected` lines in TSDoc examples become. */
export function check(actual: unknown, expected: unknown, where: string): void {
  try {
    deepStrictEqual(actual, expected);
  } catch (error) {
    throw new Error(`example at ${where}: ${(error as Error).message}`);
  }
}
