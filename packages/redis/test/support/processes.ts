// Child processes and text clients for the kill -9 and scale-out tests of the real server.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { asReplicaId } from '@convergent/core';
import * as RGA from '@convergent/rga';
import { Replica, WebSocketTransport } from '@convergent/sync';
import { WebSocket } from 'ws';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const TSX = ['--import', 'tsx', '--conditions=@convergent/source'];

/** Polls `condition` until it holds; fails after `ms` so a test always stops. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Child {
  readonly process: ChildProcess;
  /** Output lines so far. */
  readonly lines: string[];
  /** Writes a line to its stdin. */
  send(line: string): void;
  /** SIGKILL by PID; resolves once it is gone. */
  kill(): Promise<void>;
}

/** Runs a TypeScript file of this folder in a Node child; resolves once it printed a line starting with `ready`. */
export async function startChild(file: string, args: readonly string[], ready: string, env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, [...TSX, fileURLToPath(new URL(file, import.meta.url)), ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let pending = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
    if (process.env.LOG_ALL) process.stderr.write(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${file} exited (${code ?? signal}): ${errors}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? ''; // a line cut by a kill is no line
      for (const line of parts) {
        lines.push(line);
        if (line.startsWith(ready)) resolve();
      }
    });
  });
  return {
    process: child,
    lines,
    send: (line) => child.stdin?.write(`${line}\n`),
    kill: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}

/** The real server in a child process on `port`, over LevelDB in a folder or over Redis. */
export const startServerProcess = (port: number, kind: 'leveldb' | 'redis', where: string, env: Record<string, string> = {}) =>
  startChild('./server-process.ts', [String(port), kind, where], 'listening', env);

/** A text client: its replica, its link, and `type(text)` to insert at the end. */
export interface TextClient {
  readonly replica: Replica<RGA.RGA>;
  readonly link: WebSocketTransport;
  type(text: string): void;
  text(): string;
  /** How many of its own deltas a server acknowledged (the most any server did). */
  acked(): number;
  close(): void;
}

/** A client of document `doc`; `ports()` gives the port of each connection attempt (so it can fail over). */
export function textClient(doc: string, ports: () => number, name = `c${Math.random().toString(36).slice(2, 10)}`): TextClient {
  const link = new WebSocketTransport(() => `ws://127.0.0.1:${ports()}/${encodeURIComponent(doc)}`, {
    WebSocket,
    reconnectMs: 50,
    maxReconnectMs: 200,
  });
  const replica = new Replica<RGA.RGA>({ id: asReplicaId(name), type: RGA, doc, deltaLog: true, gossipMs: 100 });
  replica.connect(link);
  return {
    replica,
    link,
    type: (text) => replica.update((s, id) => RGA.insertText(s, id, RGA.length(s), text)),
    text: () => RGA.text(replica.state),
    acked: () => Math.max(0, ...replica.acknowledged.values()),
    close: () => {
      replica.close();
      link.close();
    },
  };
}
