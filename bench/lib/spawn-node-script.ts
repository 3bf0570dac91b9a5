import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import fs from 'node:fs';
import { ROOT_DIR } from './server-process.ts';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Soft and hard open-file limits of this process (children inherit them). */
function openFileLimits(): { soft: number; hard: number } {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line?.match(/\d+|unlimited/g) ?? []).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

export interface SpawnNodeOptions {
  env: Record<string, string>;
  /** File descriptors the child will hold at most (sockets); its soft limit is raised to fit. */
  openFiles?: number;
  /** Adds an IPC channel (`child.send`, `process.send`). */
  ipc?: boolean;
  /** Node flags before `--import tsx`, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

/**
 * Runs a TypeScript file of this repository as its own Node process (`node --import tsx`, one
 * process, so its pid is the one to measure and signals reach it). Every child is remembered and
 * killed when this process exits, even on an uncaught error, so no run leaves sockets or servers
 * behind. When `openFiles` exceeds the inherited soft limit, the child is started through
 * `ulimit -n` (up to the hard limit, which only root could raise).
 */
export function spawnNodeScript(script: string, args: string[], options: SpawnNodeOptions): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  const node = [process.execPath, ...(options.nodeFlags ?? []), '--import', 'tsx', script, ...args];
  const need = (options.openFiles ?? 0) + 256;
  const limits = openFileLimits();
  if (need > limits.hard) throw new Error(`needs ${need} open files; the hard limit here is ${limits.hard}`);
  const [command, ...rest] =
    need > limits.soft ? ['/bin/sh', '-c', `ulimit -n ${need} && exec "$@"`, 'sh', ...node] : node;
  const stdio: StdioOptions = options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const env = { NODE_ENV: 'production' as const, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env };
  // Structured clone carries the sample arrays without a JSON round trip.
  const child: ChildProcess = spawn(command!, rest, { cwd: ROOT_DIR, env, stdio, serialization: options.ipc ? 'advanced' : 'json' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Resolves when `child` has exited, killing it with SIGKILL after `graceMs` if a signal was not enough. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
