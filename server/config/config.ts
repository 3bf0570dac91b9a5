import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL, resolveDatabase } from '../db/database-url.ts';
import { parseDuration } from './parse-duration.ts';
import { compileProxyTrust } from '../http/client-address.ts';
import { redactUrl } from './redact-url.ts';

/** Thrown for an invalid environment; `message` is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PRODUCT_ID = /^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/;

function duration(name: string, fallback: string, minMs: number, maxMs: number) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null || ms < minMs || ms > maxMs) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an integer followed by s, m or h, from ${fmt(minMs)} to ${fmt(maxMs)} (got "${text}")`,
        });
        return z.NEVER;
      }
      return ms;
    });
}

function fmt(ms: number): string {
  return ms >= 3_600_000 ? `${ms / 3_600_000}h` : ms >= 60_000 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

function integer(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .default(String(fallback))
    .transform((text, ctx) => {
      const n = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max} (got "${text}")` });
        return z.NEVER;
      }
      return n;
    });
}

/** A rate limit written `<count>/<duration>`, e.g. `10/1m`. */
function rateLimit(name: string, fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const [count, window] = text.split('/');
      const points = count !== undefined && /^\d{1,6}$/.test(count) ? Number(count) : NaN;
      const windowMs = window === undefined ? null : parseDuration(window);
      if (!(points >= 1) || windowMs === null || windowMs < 1000) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must look like <count>/<duration>, e.g. 10/1m (got "${text}")`,
        });
        return z.NEVER;
      }
      return { points, windowMs };
    });
}

function bool(name: string) {
  return z
    .string()
    .default('false')
    .transform((text, ctx) => {
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false (got "${text}")` });
      return z.NEVER;
    });
}

function url(name: string, fallback: string | undefined, protocols: string[]) {
  return z
    .string()
    .optional()
    .transform((given, ctx) => {
      const text = given ?? fallback;
      if (text === undefined) return undefined;
      let parsed: URL | null = null;
      try {
        parsed = new URL(text);
      } catch {
        parsed = null;
      }
      if (!parsed || !protocols.includes(parsed.protocol)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL (got "${text}")`,
        });
        return z.NEVER;
      }
      return parsed;
    });
}

/** `REDIS_URL`: redis:// or rediss://, a host, an optional port and database number. */
function redisUrl(name: string) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const parsed = URL.canParse(text) ? new URL(text) : null;
      const ok =
        parsed !== null &&
        (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') &&
        parsed.hostname !== '' &&
        /^(\/(\d{1,5})?)?$/.test(parsed.pathname);
      if (!ok) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a redis:// or rediss:// URL such as redis://host:6379 or redis://host:6379/2 (got "${redactUrl(text)}")`,
        });
        return z.NEVER;
      }
      return text;
    });
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer('PORT', 3000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
  DATA_DIR: z.string().min(1, 'DATA_DIR must not be empty').default('./data'),
  BETTER_AUTH_SECRET: z
    .string()
    .min(32, 'BETTER_AUTH_SECRET must be at least 32 characters (or unset, to generate one)')
    .optional(),
  PUBLIC_URL: url('PUBLIC_URL', undefined, ['http:', 'https:']),
  COINBASE_WS_URL: url('COINBASE_WS_URL', 'wss://ws-feed.exchange.coinbase.com', ['ws:', 'wss:']),
  COINBASE_REST_URL: url('COINBASE_REST_URL', 'https://api.exchange.coinbase.com', ['http:', 'https:']),
  PRODUCTS: z
    .string()
    .default('BTC-USD')
    .transform((text, ctx) => {
      const ids = text.split(',').map((p) => p.trim());
      const bad = ids.find((id) => !PRODUCT_ID.test(id));
      if (bad !== undefined || ids.length < 1 || ids.length > 50 || new Set(ids).size !== ids.length) {
        ctx.addIssue({
          code: 'custom',
          message: `PRODUCTS must be 1 to 50 distinct comma-separated product ids like BTC-USD,ETH-USD (got "${text}")`,
        });
        return z.NEVER;
      }
      return ids;
    }),
  WINDOW: duration('WINDOW', '10m', 1_000, 86_400_000),
  FEED_STALL_TIMEOUT: duration('FEED_STALL_TIMEOUT', '10s', 1_000, 3_600_000),
  GAP_FILL_TIMEOUT: duration('GAP_FILL_TIMEOUT', '30s', 1_000, 3_600_000),
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'NODE_ID must be 1 to 64 letters, digits or . _ : -')
    .optional(),
  LEASE_TTL: duration('LEASE_TTL', '5s', 1_000, 60_000),
  TRADE_RETENTION: duration('TRADE_RETENTION', '24h', 60_000, 30 * 86_400_000),
  ALERT_LIMIT: integer('ALERT_LIMIT', 100, 1, 100_000),
  FEED_SIMULATED: bool('FEED_SIMULATED'),
  RATE_LIMIT_AUTH_IP: rateLimit('RATE_LIMIT_AUTH_IP', '30/10m'),
  RATE_LIMIT_AUTH_ACCOUNT: rateLimit('RATE_LIMIT_AUTH_ACCOUNT', '10/10m'),
  RATE_LIMIT_ALERT_CREATE: rateLimit('RATE_LIMIT_ALERT_CREATE', '60/10m'),
  RATE_LIMIT_ALERT_HITS: rateLimit('RATE_LIMIT_ALERT_HITS', '100/1m'),
  SOCKET_LIMIT_ACCOUNT: integer('SOCKET_LIMIT_ACCOUNT', 50, 1, 1_000_000),
  SOCKET_LIMIT_IP: integer('SOCKET_LIMIT_IP', 200, 1, 1_000_000),
  SOCKET_LIMIT_IP_ANONYMOUS: integer('SOCKET_LIMIT_IP_ANONYMOUS', 50, 1, 1_000_000),
  SOCKET_CONNECT_TIMEOUT: duration('SOCKET_CONNECT_TIMEOUT', '10s', 1_000, 60_000),
  RATE_LIMIT_SOCKET_EVENTS: rateLimit('RATE_LIMIT_SOCKET_EVENTS', '100/10s'),
  MAX_BODY_BYTES: integer('MAX_BODY_BYTES', 16_384, 1_024, 10_485_760),
  HTTP_HEADERS_TIMEOUT: duration('HTTP_HEADERS_TIMEOUT', '15s', 1_000, 600_000),
  HTTP_REQUEST_TIMEOUT: duration('HTTP_REQUEST_TIMEOUT', '30s', 1_000, 3_600_000),
  MAX_CONNECTIONS: integer('MAX_CONNECTIONS', 10_000, 1, 1_000_000),
  MAX_CONNECTIONS_PER_IP: integer('MAX_CONNECTIONS_PER_IP', 256, 0, 1_000_000),
  PASSWORD_HASH_CONCURRENCY: integer('PASSWORD_HASH_CONCURRENCY', 2, 1, 64),
  PASSWORD_HASH_QUEUE: integer('PASSWORD_HASH_QUEUE', 32, 0, 10_000),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const list = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
      try {
        compileProxyTrust(list);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `TRUSTED_PROXIES must be comma-separated IP addresses or CIDRs such as 10.0.0.0/8,192.168.1.10 (${error instanceof Error ? error.message : String(error)})` });
        return z.NEVER;
      }
      return list;
    }),
  REDIS_URL: redisUrl('REDIS_URL'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'REDIS_KEY_PREFIX must be 1 to 64 letters, digits or : _ . -')
    .default('tickwatch:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof shapeConfig>;

function shapeConfig(env: z.infer<typeof envSchema>, rootDir: string) {
  if (env.HTTP_HEADERS_TIMEOUT > env.HTTP_REQUEST_TIMEOUT) {
    throw new ConfigError(
      `HTTP_HEADERS_TIMEOUT (${fmt(env.HTTP_HEADERS_TIMEOUT)}) must not be longer than HTTP_REQUEST_TIMEOUT (${fmt(env.HTTP_REQUEST_TIMEOUT)})`,
    );
  }
  const database = resolveDatabase(env.DATABASE_URL, rootDir);
  if (database === null) {
    throw new ConfigError(
      `DATABASE_URL must be a SQLite file: URL such as ${DEFAULT_DATABASE_URL}, or a postgresql:// URL with a host and a database name, "/" and "@" in a password percent-encoded (got "${redactUrl(env.DATABASE_URL)}")`,
    );
  }
  return {
    rootDir,
    dev: env.NODE_ENV === 'development',
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    database,
    dataDir: path.resolve(rootDir, env.DATA_DIR),
    authSecret: env.BETTER_AUTH_SECRET,
    publicUrl: env.PUBLIC_URL,
    coinbaseWsUrl: env.COINBASE_WS_URL as URL,
    coinbaseRestUrl: env.COINBASE_REST_URL as URL,
    products: env.PRODUCTS,
    windowMs: env.WINDOW,
    feedStallTimeoutMs: env.FEED_STALL_TIMEOUT,
    gapFillTimeoutMs: env.GAP_FILL_TIMEOUT,
    /** This node's name in leases, logs and metrics. */
    nodeId: env.NODE_ID ?? `${os.hostname().replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 50)}-${process.pid}`,
    leaseTtlMs: env.LEASE_TTL,
    tradeRetentionMs: env.TRADE_RETENTION,
    alertLimit: env.ALERT_LIMIT,
    feedSimulated: env.FEED_SIMULATED,
    rateLimits: {
      authIp: env.RATE_LIMIT_AUTH_IP,
      authAccount: env.RATE_LIMIT_AUTH_ACCOUNT,
      alertCreate: env.RATE_LIMIT_ALERT_CREATE,
      /** Alert hits pushed to one user one by one; beyond it they are summed up in a notice. */
      alertHits: env.RATE_LIMIT_ALERT_HITS,
    },
    maxBodyBytes: env.MAX_BODY_BYTES,
    sockets: {
      /** Authenticated sockets per account, per client address, and connections per address without one. */
      limits: { perAccount: env.SOCKET_LIMIT_ACCOUNT, perIp: env.SOCKET_LIMIT_IP, anonymousPerIp: env.SOCKET_LIMIT_IP_ANONYMOUS },
      /** A new connection that has not joined within this many ms is closed. */
      connectTimeoutMs: env.SOCKET_CONNECT_TIMEOUT,
      /** Messages one connection may send (acknowledgements the server asked for excepted). */
      eventBudget: env.RATE_LIMIT_SOCKET_EVENTS,
    },
    http: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT,
      maxConnections: env.MAX_CONNECTIONS,
      /** 0: no per-address cap. */
      maxConnectionsPerIp: env.MAX_CONNECTIONS_PER_IP,
    },
    passwordHashing: { concurrency: env.PASSWORD_HASH_CONCURRENCY, queue: env.PASSWORD_HASH_QUEUE },
    /** Load balancers whose X-Forwarded-For is believed for client addresses. */
    trustedProxies: env.TRUSTED_PROXIES,
    /**
     * Several nodes: cross-node Socket.IO delivery and shared rate limits (null: one process,
     * everything in memory). Keys and channels of this deployment start with `keyPrefix`.
     */
    redis: env.REDIS_URL === undefined ? null : { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX },
    logLevel: env.LOG_LEVEL,
  };
}

/**
 * Reads and validates the whole configuration from `env` (normally `process.env`). Empty strings
 * count as unset. Throws `ConfigError` whose message is one line naming the first bad variable
 * and what is expected. Relative paths resolve from `rootDir`, the project root.
 */
export function loadConfig(env: Record<string, string | undefined>, rootDir: string): Config {
  const cleaned = Object.fromEntries(
    Object.keys(envSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message = issue?.message ?? 'invalid value';
    throw new ConfigError(message.startsWith(variable) ? message : `${variable}: ${message}`);
  }
  return shapeConfig(result.data, rootDir);
}
