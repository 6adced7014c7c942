// Running the parts of the test environment: every failure names the part, the step and the log file, and
// every daemon is tracked so that a failed or finished run leaves no stray process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createServer } from 'node:net';

export class EnvError extends Error {
  constructor(
    readonly part: string,
    readonly step: string,
    readonly logFile: string,
    detail: string,
  ) {
    super(`test environment: ${part}: ${step} failed (${detail}); see ${logFile}`);
    this.name = 'EnvError';
  }
}

export interface RunOptions {
  part: string;
  step: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this unprivileged user when we are root (PostgreSQL refuses to run as root). */
  asUser?: string;
  /** Captured stdout is returned; it is also written to the log. */
  timeoutMs?: number;
}

function openLog(logFile: string): WriteStream {
  mkdirSync(dirname(logFile), { recursive: true });
  return createWriteStream(logFile, { flags: 'a' });
}

function asUserCommand(cmd: string, args: string[], user: string | undefined): [string, string[]] {
  if (user === undefined || process.getuid?.() !== 0) return [cmd, args];
  return ['runuser', ['-u', user, '--', cmd, ...args]];
}

/** Runs a command to completion; resolves with its stdout, rejects with an EnvError naming part and step. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<string> {
  const [file, argv] = asUserCommand(cmd, args, opts.asUser);
  const log = openLog(opts.logFile);
  log.write(`\n$ ${[file, ...argv].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      log.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
      log.write(chunk);
    });
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      log.end();
      reject(new EnvError(opts.part, opts.step, opts.logFile, `${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      log.end();
      if (code === 0) resolve(stdout);
      else {
        const last = stderrTail.trim().split('\n').slice(-3).join(' | ');
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(new EnvError(opts.part, opts.step, opts.logFile, `${cmd} ${why}${last ? `: ${last}` : ''}`));
      }
    });
  });
}

export interface Daemon {
  part: string;
  logFile: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const daemons = new Set<Daemon>();

/** Starts a long-running server in its own process group, logging to a file. */
export function startDaemon(part: string, cmd: string, args: string[], opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): Daemon {
  const log = openLog(opts.logFile);
  log.write(`\n$ ${[cmd, ...args].join(' ')}\n`);
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(-1));
  });
  const daemon: Daemon = {
    part,
    logFile: opts.logFile,
    child,
    exited,
    async stop() {
      daemons.delete(daemon);
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
        if (!done) {
          killGroup(child, 'SIGKILL');
          await exited;
        }
      }
      log.end();
    },
  };
  daemons.add(daemon);
  return daemon;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Last resort on process exit: nothing this run started may outlive it. */
export function killAllDaemonsSync(): void {
  for (const d of daemons) killGroup(d.child, 'SIGKILL');
  daemons.clear();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free loopback port chosen by the kernel, so that two runs on one machine do not collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

/** Polls `probe` until it returns true; fails with the part's log file when the daemon dies or time runs out. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  opts: { part: string; step: string; logFile: string; timeoutMs: number; daemon?: Daemon },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (opts.daemon && (opts.daemon.child.exitCode !== null || opts.daemon.child.signalCode !== null)) {
      throw new EnvError(opts.part, opts.step, opts.logFile, `process exited with ${opts.daemon.child.exitCode ?? opts.daemon.child.signalCode}`);
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new EnvError(opts.part, opts.step, opts.logFile, `not ready after ${opts.timeoutMs} ms${lastError ? `: ${lastError}` : ''}`);
}
