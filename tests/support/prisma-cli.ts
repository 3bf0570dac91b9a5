// Running the Prisma CLI and the offline schema engine (scripts/schema-engine) inside a fresh,
// empty network namespace (`unshare -n`) when the machine allows it, so "offline" is checked, not
// assumed. Shared by tests/integration/prisma-offline*.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { PRISMA_LAYOUT, type DatabaseTarget } from '../../server/db/database-url.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const shim = path.join(root, 'scripts/schema-engine/schema-engine');
const tsx = path.join(root, 'node_modules/.bin/tsx');

/**
 * `unshare` options giving a process an empty network namespace: `-n` as root, `-rn` (inside a user
 * namespace) for other users where the kernel allows it; null when neither works.
 */
const unshareArgs = [['-n'], ['-rn']].find((args) => spawnSync('unshare', [...args, 'true']).status === 0) ?? null;
export const offline = unshareArgs !== null;
if (!offline) {
  process.stderr.write('prisma-offline: unshare -n/-rn is not available, the Prisma CLI runs WITH network access\n');
}

/** Migration folders in `dir`, in order. */
export const migrationFolders = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command, inside a network namespace of its own when possible. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const file = unshareArgs ? 'unshare' : command;
  const argv = unshareArgs ? [...unshareArgs, command, ...args] : args;
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: options.cwd ?? root,
      env: options.env ?? cliEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Environment for the CLI: the caller's, without PRISMA_SCHEMA_ENGINE_BINARY or DATABASE_URL
 * unless given (prisma.config.ts must set the engine path by itself).
 */
export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '1', ...extra };
  if (!('PRISMA_SCHEMA_ENGINE_BINARY' in extra)) delete env.PRISMA_SCHEMA_ENGINE_BINARY;
  if (!('DATABASE_URL' in extra)) delete env.DATABASE_URL;
  return env;
}

/** `prisma ...` with the project's CLI, on a SQLite file or a `postgresql://` URL. */
export function prisma(args: string[], database: string, cwd = root, extraEnv: Record<string, string> = {}) {
  return run(path.join(cwd, 'node_modules/.bin/prisma'), args, {
    cwd,
    env: cliEnv({ DATABASE_URL: database.startsWith('postgresql:') ? database : `file:${database}`, ...extraEnv }),
  });
}

/** Output of a failed command, for assertion messages. */
export const show = (r: RunResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

export const probeModel = '\nmodel Probe {\n  id    Int    @id @default(autoincrement())\n  label String\n}\n';

/**
 * A scratch copy of the project's Prisma setup for one provider, in the project's layout: the
 * schema (without generator, nothing to generate), the migrations, a config equivalent to the
 * project's, and links to node_modules and the shim, so the CLI can run there without touching
 * the real prisma folder. `tmp`: the test file's scratch directory.
 */
export function makeScratchProject(
  tmp: string,
  name: string,
  extraSchema = '',
  provider: DatabaseTarget['provider'] = 'sqlite',
): string {
  const layout = PRISMA_LAYOUT[provider];
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, path.dirname(layout.schema)), { recursive: true });
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(root, 'scripts/schema-engine'), path.join(dir, 'scripts/schema-engine'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  fs.cpSync(path.join(root, layout.migrations), path.join(dir, layout.migrations), { recursive: true });
  const schema = fs.readFileSync(path.join(root, layout.schema), 'utf8');
  const withoutGenerator = schema.replace(/^generator \w+ \{[^}]*\}\n/m, '');
  fs.writeFileSync(path.join(dir, layout.schema), withoutGenerator + extraSchema);
  fs.writeFileSync(
    path.join(dir, 'prisma.config.ts'),
    [
      "import path from 'node:path';",
      "import { fileURLToPath } from 'node:url';",
      "import { defineConfig } from 'prisma/config';",
      'const root = path.dirname(fileURLToPath(import.meta.url));',
      "process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'scripts/schema-engine/schema-engine');",
      'const shadowDatabaseUrl = process.env.SHADOW_DATABASE_URL || undefined;',
      'export default defineConfig({',
      `  schema: '${layout.schema}',`,
      `  migrations: { path: '${layout.migrations}' },`,
      "  datasource: { url: process.env.DATABASE_URL ?? '', ...(shadowDatabaseUrl ? { shadowDatabaseUrl } : {}) },",
      '});',
      '',
    ].join('\n'),
  );
  return dir;
}

export interface ApplyOutcome {
  ok: boolean;
  result?: { applied: number };
  message?: string;
  logs: string[];
  ms: number;
}

/**
 * Calls applyPendingMigrations in a child process (in the network namespace like the other CLI
 * runs: it spawns the Prisma CLI itself).
 */
export async function applyPendingMigrationsOffline(
  tmp: string,
  rootDir: string,
  database: string | DatabaseTarget,
): Promise<ApplyOutcome> {
  const target: DatabaseTarget = typeof database === 'string' ? { provider: 'sqlite', file: database } : database;
  const script = path.join(tmp, 'apply-pending-migrations.mts');
  // Written once: two of these may run at the same time.
  if (!fs.existsSync(script)) {
    fs.writeFileSync(
      script,
      [
        `import { applyPendingMigrations } from ${JSON.stringify(path.join(root, 'server/db/migrate.ts'))};`,
        'const [rootDir, databaseJson] = process.argv.slice(2);',
        'const database = JSON.parse(databaseJson);',
        'const logs: string[] = [];',
        'const start = performance.now();',
        'try {',
        '  const result = await applyPendingMigrations({ rootDir, database, log: (msg) => logs.push(msg) });',
        '  console.log(JSON.stringify({ ok: true, result, logs, ms: performance.now() - start }));',
        '} catch (error) {',
        '  const message = (error as Error).message;',
        '  console.log(JSON.stringify({ ok: false, message, logs, ms: performance.now() - start }));',
        '}',
        '',
      ].join('\n'),
    );
  }
  const outcome = await run(tsx, [script, rootDir, JSON.stringify(target)], { env: cliEnv({}) });
  expect(outcome.code, show(outcome)).toBe(0);
  return JSON.parse(outcome.stdout.trim().split('\n').at(-1) ?? '') as ApplyOutcome;
}

