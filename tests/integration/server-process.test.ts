import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer, waitForOk } from '../support/spawn-server.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-proc-'));
  dirs.push(dir);
  return dir;
}

async function startupFailure(env: Record<string, string>): Promise<{ code: number | string; output: string }> {
  const server = spawnServer({ DATA_DIR: tempDir(), ...env });
  const code = await server.exited;
  return { code, output: server.output().trim() };
}

describe('server process', () => {
  it.each([
    [{ PORT: 'eighty' }, 'tickwatch: PORT must be an integer from 0 to 65535 (got "eighty")'],
    [{ WINDOW: '10 minutes' }, 'tickwatch: WINDOW must be an integer followed by s, m or h, from 1s to 24h (got "10 minutes")'],
    [
      { DATABASE_URL: 'mysql://app:hunter2@127.0.0.1/tickwatch' },
      'tickwatch: DATABASE_URL must be a SQLite file: URL such as file:./data/tickwatch.db, or a postgresql:// URL with a host and a database name, "/" and "@" in a password percent-encoded (got "mysql://app:***@127.0.0.1/tickwatch")',
    ],
  ])('stops on a bad %j with exit code 1 and one line', async (env, line) => {
    const { code, output } = await startupFailure(env);
    expect(code).toBe(1);
    expect(output).toBe(line);
  });

  it('stops with a clear line when the data dir cannot be created', async () => {
    const file = path.join(tempDir(), 'not-a-dir');
    fs.writeFileSync(file, '');
    const { code, output } = await startupFailure({ DATA_DIR: path.join(file, 'data'), DATABASE_URL: `file:${path.join(tempDir(), 'x.db')}` });
    expect(code).toBe(1);
    expect(output).toMatch(/^tickwatch: DATA_DIR \(.*not-a-dir\/data\) is not a writable directory \(ENOTDIR\)$/);
  });

  it('migrates a brand-new database at start, serves, and exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const server = spawnServer({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: `file:${dataDir}/fresh/tickwatch.db`,
      LOG_LEVEL: 'info',
    });
    await waitForOk(`http://127.0.0.1:${port}/healthz`, 60_000);
    expect(fs.existsSync(path.join(dataDir, 'fresh/tickwatch.db'))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'auth-secret')).mode & 0o777).toBe(0o600);
    expect(server.output()).toMatch(/applied [1-9]\d* database migration/);

    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.output()).toContain('"msg":"stopped"');
  });
});
