import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './spawn-server.ts';

/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, `postgres` on a free
 * port of 127.0.0.1), for outages the shared server must never see: stopped and started again on
 * the same port and data. The binaries are found under /usr/lib/postgresql/<version>/bin (or
 * `TEST_POSTGRES_BIN`); PostgreSQL refuses to run as root, so under root the directory is given
 * to the `postgres` user (or `TEST_POSTGRES_USER`) and both programs run as that user. A missing
 * binary or user is an error, never a skip.
 */
export interface PrivatePostgres {
  port: number;
  /** A URL for database `name` (trust authentication, user postgres). */
  url(name: string): string;
  /** Stops the server: `fast` (SIGINT, what `pg_ctl stop` does: clients are disconnected) or `immediate` (SIGQUIT). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Whether the server process runs. */
  running(): boolean;
  /** The server's own log (for a failure message). */
  log(): string;
  /** Kills the server (if it runs) and removes its directory. Safe to call more than once. */
  close(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** initdb and postgres in a UTF-8 locale every system has. */
const PG_ENV = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

function binDir(): string {
  if (process.env.TEST_POSTGRES_BIN) return process.env.TEST_POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/<version>/bin (set TEST_POSTGRES_BIN)`);
  return path.join(root, versions[0]!, 'bin');
}

/** The uid and gid to run PostgreSQL as: ours, unless we are root. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const user = process.env.TEST_POSTGRES_USER ?? 'postgres';
  const id = (flag: string) => {
    const result = spawnSync('id', [flag, user], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`PostgreSQL refuses to run as root and there is no user ${user} to run it as (set TEST_POSTGRES_USER): ${result.stderr.trim()}`);
    return Number(result.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

async function accepts(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres', connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every private server still running when the test process exits is killed then. */
const live = new Set<ChildProcess>();
let exitHook = false;
function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const proc of live) proc.kill('SIGKILL');
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const owner = runAs();
  const ids: { uid?: number; gid?: number } = owner ?? {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-pg-'));
  const data = path.join(dir, 'data');
  let output = '';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let port = 0;

  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    if (owner) fs.chownSync(dir, owner.uid, owner.gid);
    const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
      encoding: 'utf8',
      timeout: 60_000,
      ...ids,
      env: PG_ENV,
    });
    if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.signal ?? init.error?.message}): ${init.stderr}`);
    port = await freePort();
  } catch (error) {
    removeDir();
    throw error;
  }

  async function start(): Promise<void> {
    if (child) throw new Error('the private PostgreSQL is running already');
    const args = [
      '-D', data,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${dir}`,
      // A test server: nothing has to survive a crash of the machine. A crash of PostgreSQL itself
      // (an immediate shutdown) keeps every commit: the WAL reaches the kernel before a commit
      // returns (synchronous_commit stays on; off, a crash lost commits the nodes had seen).
      '-c', 'fsync=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=100',
    ];
    const proc = spawn(path.join(bin, 'postgres'), args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: PG_ENV });
    child = proc;
    killOnExit(proc);
    const append = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-20_000));
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    while (!(await accepts(port))) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        child = null;
        throw new Error(`postgres on port ${port} exited (${proc.exitCode ?? proc.signalCode}):\n${output.slice(-3_000)}`);
      }
      if (Date.now() > deadline) throw new Error(`postgres on port ${port} did not accept connections within 20 s:\n${output.slice(-3_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const proc = child;
    if (!proc) return;
    child = null;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      proc.kill('SIGKILL');
      await exited;
      throw new Error(`postgres on port ${port} did not stop (${mode}) within 10 s:\n${output.slice(-3_000)}`);
    }
  }

  try {
    await start();
  } catch (error) {
    // One that started and never answered (TypeScript cannot see start() assign it).
    (child as ChildProcess | null)?.kill('SIGKILL');
    await exited;
    removeDir();
    throw error;
  }

  let closed = false;
  return {
    port,
    url: (name) => `postgresql://${SUPERUSER}@127.0.0.1:${port}/${name}`,
    stop,
    start,
    running: () => child !== null && child.exitCode === null && child.signalCode === null,
    log: () => output,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const proc = child;
      child = null;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        // Immediate shutdown ends its backends too; SIGKILL if even that hangs.
        proc.kill('SIGQUIT');
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
        if ((await Promise.race([exited, timeout])) === 'timeout') {
          proc.kill('SIGKILL');
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
        }
      }
      removeDir();
    },
  };
}
