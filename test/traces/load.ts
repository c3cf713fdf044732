// Reads an editing trace kept beside this file (format and licence credit in README.md).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** One recorded editing session: patches are `[position, deleteCount, insertText]`. */
export interface Trace {
  endContent: string;
  txns: Array<{ patches: Array<[number, number, string]> }>;
}

/** The names of the traces in this folder. */
export type TraceName = 'automerge-paper' | 'seph-blog1';

/** Reads and parses `test/traces/<name>.json.gz`. */
export function loadTrace(name: TraceName): Trace {
  const file = new URL(`./${name}.json.gz`, import.meta.url);
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Trace;
}
