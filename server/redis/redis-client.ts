import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';

/** `REDIS_URL` and the prefix of this deployment's keys and channels (config `redis`). */
export interface RedisSettings {
  /** `redis://` or `rediss://`, credentials and database number included (never logged). */
  url: string;
  keyPrefix: string;
}

/** Redis cannot be reached, or refuses us, at start: `message` is one line for the operator. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * How a connection behaves while Redis is away:
 * - `command`: commands fail at once (no offline queue) or after `COMMAND_TIMEOUT_MS`, so a rate
 *   limit falls back to memory and a broadcast reaches this node's sockets without waiting;
 * - `blocking`: commands wait for the reconnect (the Socket.IO adapter's stream reads and
 *   subscriptions; its read loop retries without a pause, so failing at once would spin).
 */
export type RedisClientKind = 'command' | 'blocking';

/** One connection attempt, at most. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A command unanswered for this long fails. */
const COMMAND_TIMEOUT_MS = 2_000;
/** A connection whose pending command gets no byte for this long is replaced (a hung server). */
const SOCKET_TIMEOUT_MS = 5_000;
/** Reconnect delays after a loss: 50 ms doubling up to this, with jitter. */
const RECONNECT_MAX_MS = 2_000;

/** The URL as logs and errors show it: scheme, host, port and database, never credentials. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
}

/** The database number of a Redis URL (`/2` -> 2; none -> 0). */
function databaseOf(url: string): number {
  const db = new URL(url).pathname.slice(1);
  return db === '' ? 0 : Number(db);
}

function reconnectDelay(attempt: number): number {
  const nominal = Math.min(RECONNECT_MAX_MS, 50 * 2 ** Math.min(attempt, 10));
  return Math.round(nominal / 2 + (Math.random() * nominal) / 2);
}

/** What a client error may say in a log: its message, never its command's arguments (AUTH carries the password). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

function optionsFor(kind: RedisClientKind, role: string, retryStrategy: (times: number) => number | null): RedisOptions {
  const common: RedisOptions = { connectTimeout: CONNECT_TIMEOUT_MS, connectionName: `tickwatch-${role}`, retryStrategy };
  if (kind === 'blocking') return { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null };
  return { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: COMMAND_TIMEOUT_MS, socketTimeout: SOCKET_TIMEOUT_MS };
}

/**
 * The node's Redis connections (`REDIS_URL`): one for commands (rate limits, readiness) and those
 * the Socket.IO adapter asks for. Connected once at start, where a Redis that cannot be reached
 * or refuses us is a `RedisUnavailableError`; a later loss is ridden out with reconnects, logged
 * once per outage at error level and once when every connection is back, when `onRestored`
 * listeners run. The password is never logged.
 */
export async function connectRedis(settings: RedisSettings, logger: Logger) {
  const log = logger.child({ module: 'redis' });
  const where = describeRedisUrl(settings.url);
  let started = false;
  let closing = false;
  let lost = false;
  let metrics: Metrics | null = null;
  const all = new Set<Redis>();
  /** Connections that were up once: the node's connection state is theirs. */
  const watched = new Set<Redis>();
  const restoredListeners: Array<() => void> = [];

  // Before start, one attempt: an unreachable Redis stops the start with one line.
  const retryStrategy = (times: number) => (started ? reconnectDelay(times - 1) : null);

  function allUp(): boolean {
    for (const client of watched) if (client.status !== 'ready') return false;
    return true;
  }

  function update(): void {
    if (closing || !started) return;
    const up = allUp();
    metrics?.redisConnected.set(up ? 1 : 0);
    if (!up && !lost) {
      lost = true;
      metrics?.redisConnectionLosses.inc();
      log.error(
        { redis: where },
        "lost the connection to Redis; reconnecting (meanwhile hits reach this node's sockets only, and rate limits are counted in this node's memory)",
      );
    } else if (up && lost) {
      lost = false;
      log.info({ redis: where }, "reconnected to Redis; replaying undelivered hits to this node's sockets");
      for (const listener of restoredListeners) listener();
    }
  }

  function createClient(role: string, kind: RedisClientKind, lazyConnect = false): Redis {
    const client = new Redis(settings.url, { ...optionsFor(kind, role, retryStrategy), lazyConnect });
    all.add(client);
    client.on('error', (error: unknown) => log.debug({ redis: where, role, detail: describeError(error) }, 'Redis connection error'));
    client.on('ready', () => {
      watched.add(client);
      update();
    });
    // A loss is retried ('reconnecting'); a connection closed on purpose (the adapter closes its
    // own when Socket.IO closes) ends instead, and no longer counts.
    client.on('reconnecting', update);
    client.on('end', () => {
      watched.delete(client);
      update();
    });
    return client;
  }

  const client = createClient('commands', 'command', true);
  let lastError: unknown = null;
  const remember = (error: unknown) => void (lastError = error);
  client.on('error', remember);
  try {
    await client.connect();
    // Also proves the credentials and the database: AUTH and SELECT failures surface here.
    await client.ping();
  } catch (error) {
    client.disconnect();
    const cause = client.status === 'end' && lastError !== null ? lastError : error;
    throw new RedisUnavailableError(`cannot use Redis at ${where} (REDIS_URL): ${describeError(cause)}`);
  } finally {
    client.off('error', remember);
  }
  started = true;

  return {
    /** Commands: rate limits and readiness. Fails fast while Redis is away (see `RedisClientKind`). */
    client,
    /** Starts every key of this deployment. */
    keyPrefix: settings.keyPrefix,
    /**
     * Starts every pub/sub channel of this deployment. Channels are not per database, so the
     * database number is part of it: deployments on different databases of one server stay apart.
     */
    channelPrefix: `${settings.keyPrefix}db${databaseOf(settings.url)}:`,
    /** Another connection, closed with the others (`role` names it in `CLIENT LIST` and logs). */
    createClient: (role: string, kind: RedisClientKind) => createClient(role, kind),
    /** True while every connection is up. */
    connected: allUp,
    /** Readiness: every connection up and a PING answered. */
    async ready(): Promise<boolean> {
      if (!allUp()) return false;
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    /** Runs `listener` each time every connection is back after a loss. */
    onRestored(listener: () => void): void {
      restoredListeners.push(listener);
    },
    /** Publishes the connection state as `tickwatch_redis_*` metrics. */
    reportTo(target: Metrics): void {
      metrics = target;
      target.registry.registerMetric(target.redisConnected);
      target.registry.registerMetric(target.redisConnectionLosses);
      target.redisConnected.set(allUp() ? 1 : 0);
    },
    /** Closes every connection at once (pending commands fail); after the Socket.IO server closed. */
    close(): void {
      closing = true;
      for (const each of all) each.disconnect();
    },
  };
}

export type RedisConnection = Awaited<ReturnType<typeof connectRedis>>;
