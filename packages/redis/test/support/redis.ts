// A real redis-server for tests: Debian's package (installed by
// packages/redis/scripts/ensure-redis.sh, which `pnpm check` runs), started on a free
// localhost port in a fresh temporary folder and stopped by its PID. Never the
// system's service, never a shared instance: each test file gets its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisOptions {
  /** AOF with `appendfsync always`: every acknowledged write is on disk (durability tests). */
  readonly durable?: boolean;
  /** Restart on the folder (and port) of a crashed instance instead of fresh ones. */
  readonly after?: RunningRedis;
}

export interface RunningRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /** SIGTERM by PID, waits for the exit and removes the folder. */
  stop(): Promise<void>;
  /** SIGKILL by PID (a crash: no shutdown save), waits for the exit, keeps the folder. */
  crash(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for redis-server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function startOnce(port: number, dir: string, durable: boolean): Promise<ChildProcess> {
  const persistence = durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence, '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) =>
      reject(new Error(`cannot start redis-server (run packages/redis/scripts/ensure-redis.sh): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
}

/** Starts a private redis-server; retries on another port if the chosen one was taken meanwhile. */
export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  const dir = options.after?.dir ?? mkdtempSync(join(tmpdir(), 'convergent-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.after?.port ?? (await freePort());
    try {
      const child = await startOnce(port, dir, options.durable ?? false);
      const pid = child.pid;
      if (pid === undefined) throw new Error('redis-server has no pid');
      const signal = async (name: NodeJS.Signals): Promise<void> => {
        const done = exited(child);
        try {
          process.kill(pid, name);
        } catch {
          // already gone
        }
        await done;
      };
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        dir,
        pid,
        async stop() {
          await signal('SIGTERM');
          rmSync(dir, { recursive: true, force: true });
        },
        crash: () => signal('SIGKILL'),
      };
    } catch (error) {
      lastError = error;
      if (options.after !== undefined) await new Promise((resolve) => setTimeout(resolve, 200)); // the port may linger
    }
  }
  if (options.after === undefined) rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
