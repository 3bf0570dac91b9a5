import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { watchServerLog } from './server-error-guard.ts';
import { type ExpectedError, type LogEntry, WARN_LEVEL, crashEntries, levelOfLine, parseLogLine } from './server-log.ts';
import { CLOSED_FEED_URL, CLOSED_REST_URL, ROOT_DIR } from './test-app.ts';

export interface SpawnedServer {
  child: ChildProcess;
  output(): string;
  /** The JSON lines it logged at warn level and above, oldest first. */
  logs: readonly LogEntry[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/**
 * Runs `server/index.ts` as its own process, exactly as `npm start` would (`node --import tsx`), so tests
 * can check exit codes, stderr lines and signal handling. `env` is added to a minimal
 * environment; pages are served only if the app has been built. Like startTestApp, its
 * error-level JSON lines, and a crash (Node's uncaught-exception report on stderr), fail the test
 * unless declared (`options.expectErrors` for the process's life, or `expectServerErrors()`).
 */
export function spawnServer(env: Record<string, string>, options: { expectErrors?: ExpectedError[] } = {}): SpawnedServer {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT_DIR,
    env: { NODE_ENV: 'development', PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NEXT_TELEMETRY_DISABLED: '1', COINBASE_WS_URL: CLOSED_FEED_URL, COINBASE_REST_URL: CLOSED_REST_URL, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let stderr = '';
  let partial = '';
  // Resolves once stdout and stderr are drained, after the process ended.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const watch = watchServerLog(`spawnServer(${JSON.stringify(env).slice(0, 200)}), pid ${child.pid}`, options.expectErrors, async () => {
    if (child.exitCode === null && child.signalCode === null) return;
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const entry = levelOfLine(line) >= WARN_LEVEL ? parseLogLine(line.trim()) : null;
      if (entry) watch.record(entry);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    stderr += chunk.toString();
  });
  void closed.then(() => crashEntries(stderr).forEach((entry) => watch.record(entry)));
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, output: () => text, logs: watch.entries, exited };
}

/** Polls `url` until it answers 200 or `timeoutMs` passes. */
export async function waitForOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
