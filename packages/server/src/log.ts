/**
 * One structured log entry: a level, an event name and its fields. The server logs
 * connections, refusals (with the reason), store errors and shutdown.
 *
 * @example
 * ```ts
 * import type { LogEntry } from '@convergent/server';
 *
 * const entry: LogEntry = { time: '2026-01-01T00:00:00.000Z', level: 'warn', event: 'refused', reason: 'origin' };
 * entry.event; // => 'refused'
 * ```
 */
export interface LogEntry {
  /** ISO 8601 time. */
  readonly time: string;
  /** Severity. */
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** What happened, a short stable name (`connected`, `refused`, `store-error`, …). */
  readonly event: string;
  /** Further fields: document, identity, address, reason, error. */
  readonly [field: string]: unknown;
}

/**
 * Receives every log entry. The default, {@link jsonLines}, writes one JSON object per
 * line to standard output; pass your own to feed pino, a test's array, or nothing.
 *
 * @example
 * ```ts
 * import type { Logger, LogEntry } from '@convergent/server';
 *
 * const seen: LogEntry[] = [];
 * const logger: Logger = (entry) => seen.push(entry);
 * logger({ time: new Date(0).toISOString(), level: 'info', event: 'listening' });
 * seen.length; // => 1
 * ```
 */
export type Logger = (entry: LogEntry) => void;

/**
 * The default {@link Logger}: one JSON object per line on standard output, entries
 * below `level` left out.
 *
 * @param level - the lowest level written (default `'info'`)
 * @param write - where lines go (default standard output)
 * @returns the logger
 *
 * @example
 * ```ts
 * import { jsonLines } from '@convergent/server';
 *
 * const lines: string[] = [];
 * const log = jsonLines('info', (line) => lines.push(line));
 * log({ time: 'now', level: 'debug', event: 'frame' }); // below 'info': left out
 * log({ time: 'now', level: 'warn', event: 'refused', reason: 'origin' });
 * lines; // => ['{"time":"now","level":"warn","event":"refused","reason":"origin"}\n']
 * ```
 */
export function jsonLines(level: LogEntry['level'] = 'info', write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const floor = LEVELS.indexOf(level);
  return (entry) => {
    if (LEVELS.indexOf(entry.level) >= floor) write(`${JSON.stringify(entry, errorFields)}\n`);
  };
}

const LEVELS: ReadonlyArray<LogEntry['level']> = ['debug', 'info', 'warn', 'error'];

/** Errors have no enumerable fields: log their class and message. */
function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.constructor.name, message: value.message } : value;
}

/** Builds and emits entries with the time filled in. */
export function emitter(logger: Logger): (level: LogEntry['level'], event: string, fields?: Record<string, unknown>) => void {
  return (level, event, fields) => {
    try {
      logger({ time: new Date().toISOString(), level, event, ...fields });
    } catch {
      // A failing logger must not take the server down.
    }
  };
}
