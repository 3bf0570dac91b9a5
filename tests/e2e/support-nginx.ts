/**
 * Several nodes behind nginx for the browser: a fresh PostgreSQL database on the test server, a
 * Redis key prefix of their own, a simulator, two nodes (`node --import tsx server/index.ts`, as
 * `npm start`) and Debian's nginx in front of them with the configuration of
 * docs/deployment.md, all on free ports of 127.0.0.1. Everything started is stopped, and the
 * database dropped and the keys deleted, by `close()`, also when the start failed half-way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { redisKeySpace } from '../support/redis-key-space.ts';
import { adminQuery, postgresUrl } from '../support/test-database.ts';

const ROOT_DIR = path.resolve(import.meta.dirname, '../..');
const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PRODUCT = 'BTC-USD';

export interface ClusterNode {
  name: string;
  /** The node itself, not through nginx. */
  baseUrl: string;
  /** Its output (JSON log lines), read by the fixtures like the other apps' logs. */
  log: string;
}

export interface NginxCluster {
  /** nginx: what the browser talks to. */
  url: string;
  simUrl: string;
  nodes: ClusterNode[];
  /** The lines nginx logged at error level or above (an upstream refusing, a broken upgrade). */
  nginxProblems(): string[];
  /** Stops everything, drops the database, deletes the Redis keys. */
  close(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One sample of a node's Prometheus text, e.g. `tickwatch_product_leader{product="BTC-USD"}`; 0 when absent. */
export async function readMetric(baseUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * The nginx configuration of docs/deployment.md, made to run here: its upstream servers are the
 * nodes, it listens on `port` of 127.0.0.1 without TLS, and the file gets the main context nginx
 * needs to run in the foreground with every path under `dir`. Fails when the documented block
 * no longer has the parts replaced, so the test keeps proving the configuration the docs give.
 */
export function nginxConfig(dir: string, port: number, upstreams: readonly number[]): string {
  const docs = fs.readFileSync(path.join(ROOT_DIR, 'docs/deployment.md'), 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(docs)?.[1];
  if (!block) throw new Error('docs/deployment.md has no ```nginx block');
  const servers = block.match(/^\s*server \d+\.\d+\.\d+\.\d+:\d+;\n/gm) ?? [];
  const listen = /^\s*listen 443 ssl;\n/m;
  if (servers.length === 0 || !listen.test(block)) throw new Error('the nginx block of docs/deployment.md no longer has `server <address>:<port>;` upstream lines and `listen 443 ssl;`');
  let site = block.replace(servers.join(''), upstreams.map((p) => `    server 127.0.0.1:${p};\n`).join(''));
  if (site === block) throw new Error('the upstream servers of the nginx block of docs/deployment.md are not consecutive lines');
  site = site.replace(listen, `    listen 127.0.0.1:${port};\n`).replace(/^\s*#\s*ssl_.*\n/gm, '');
  return [
    'daemon off;',
    // One worker: its round robin alone decides which node a request goes to.
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 256; }',
    'http {',
    `    access_log ${dir}/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${dir}/${kind}_temp;`),
    site.replace(/^/gm, '    ').replace(/\s+$/, ''),
    '}',
    '',
  ].join('\n');
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/** Polls `url` until it answers 2xx; fails early, with `output()`, if `child` exits. */
async function waitUntilAnswers(url: string, child: ChildProcess, what: string, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(url))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before ${url} answered:\n${output().slice(-3_000)}`);
    if (Date.now() > deadline) throw new Error(`${url} (${what}) did not answer within ${timeoutMs} ms:\n${output().slice(-3_000)}`);
    await sleep(200);
  }
}

const readTail = (file: string) => () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-5_000) : '');

/** Ends `child` with `signal`, then SIGKILL if it is still there after `graceMs`. */
async function stop(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  // Never started (no such program), or gone already.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  if ((await Promise.race([exited.then(() => 'exited'), sleep(graceMs).then(() => 'late')])) === 'late') {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5_000)]);
  }
}

/** Every child still running when the worker exits is killed then. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts the whole deployment; see the module comment. */
export async function startNginxCluster(options: { nodes: number; secret: string }): Promise<NginxCluster> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `stopping the nginx cluster: ${errors.map(String).join('; ')}`);
  };
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-e2e-nginx-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));

    const database = `tickwatch_e2e_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    await adminQuery(`CREATE DATABASE "${database}"`);
    cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    const databaseUrl = postgresUrl(database);

    const redis = redisKeySpace(new URL(REDIS_URL), 1 + crypto.randomInt(15), `tickwatch-e2e-${process.pid}-${crypto.randomBytes(4).toString('hex')}:`);
    cleanups.push(() => redis.cleanup());

    const simPort = await freePort();
    const simLog = path.join(dir, 'simulator.log');
    const simOut = fs.openSync(simLog, 'a');
    const sim = track(
      spawn(path.join(ROOT_DIR, 'node_modules/.bin/tsx'), ['scripts/simulator.ts', '--port', String(simPort), '--products', 'BTC-USD,ETH-USD', '--rate', '5', '--seed', '44'], {
        cwd: ROOT_DIR,
        stdio: ['ignore', simOut, simOut],
      }),
    );
    fs.closeSync(simOut);
    cleanups.push(() => stop(sim, 'SIGTERM', 5_000));
    const simUrl = `http://127.0.0.1:${simPort}`;
    await waitUntilAnswers(`${simUrl}/_control/state`, sim, 'the simulator', readTail(simLog), 30_000);

    const nginxPort = await freePort();
    const url = `http://127.0.0.1:${nginxPort}`;
    const nodes: ClusterNode[] = [];
    const processes: ChildProcess[] = [];
    for (let n = 1; n <= options.nodes; n++) {
      const port = await freePort();
      const dataDir = path.join(dir, `node-${n}`);
      fs.mkdirSync(dataDir);
      const log = path.join(dataDir, 'server.log');
      const out = fs.openSync(log, 'a');
      const child = track(
        spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
          cwd: ROOT_DIR,
          stdio: ['ignore', out, out],
          // As docs/deployment.md has every node run: the same database, Redis and secret, the
          // public origin, and nginx as the trusted proxy.
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            NODE_ENV: 'production',
            NEXT_TELEMETRY_DISABLED: '1',
            NODE_ID: `node-${n}`,
            PORT: String(port),
            HOST: '127.0.0.1',
            DATA_DIR: dataDir,
            DATABASE_URL: databaseUrl,
            ...redis.env,
            BETTER_AUTH_SECRET: options.secret,
            PUBLIC_URL: url,
            TRUSTED_PROXIES: '127.0.0.1',
            LOG_LEVEL: 'warn',
            RATE_LIMIT_AUTH_IP: '1000/1m',
            PRODUCTS: 'BTC-USD,ETH-USD',
            FEED_SIMULATED: 'true',
            COINBASE_WS_URL: `ws://127.0.0.1:${simPort}`,
            COINBASE_REST_URL: simUrl,
          },
        }),
      );
      fs.closeSync(out);
      processes.push(child);
      // A clean stop (it hands its leases over); the fixtures have judged its log by then.
      cleanups.push(() => stop(child, 'SIGTERM', 10_000));
      nodes.push({ name: `node-${n}`, baseUrl: `http://127.0.0.1:${port}`, log });
    }
    await Promise.all(nodes.map((node, i) => waitUntilAnswers(`${node.baseUrl}/readyz`, processes[i]!, node.name, readTail(node.log), 90_000)));

    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, nginxPort, nodes.map((node) => Number(new URL(node.baseUrl).port))));
    const nginxOut = path.join(dir, 'nginx.out');
    const nginxFd = fs.openSync(nginxOut, 'a');
    // -e: the error log of the start, before the configuration is read (not /var/log/nginx).
    const nginx = track(spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', nginxFd, nginxFd] }));
    fs.closeSync(nginxFd);
    const spawnFailed = new Promise<Error>((resolve) => nginx.once('error', resolve));
    cleanups.push(() => stop(nginx, 'SIGQUIT', 5_000));
    const nginxOutput = () => `${readTail(nginxOut)()}${readTail(path.join(dir, 'error.log'))()}`;
    await Promise.race([
      waitUntilAnswers(`${url}/healthz`, nginx, `nginx (${NGINX})`, nginxOutput, 15_000),
      spawnFailed.then((error) => {
        throw new Error(`nginx (${NGINX}) could not be started: ${error.message}; scripts/ensure-nginx.sh installs it`);
      }),
    ]);
    const errorLog = path.join(dir, 'error.log');
    return {
      url,
      simUrl,
      nodes,
      nginxProblems: () => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '').split('\n').filter((line) => /\[(error|crit|alert|emerg)\]/.test(line)),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
