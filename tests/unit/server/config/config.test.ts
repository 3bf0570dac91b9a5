import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../../server/config/config.ts';

const ROOT = '/srv/tickwatch';

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env, ROOT);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({}, ROOT);
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ provider: 'sqlite', file: '/srv/tickwatch/data/tickwatch.db' });
    expect(config.dataDir).toBe('/srv/tickwatch/data');
    expect(config.products).toEqual(['BTC-USD']);
    expect(config.windowMs).toBe(600_000);
    expect(config.feedStallTimeoutMs).toBe(10_000);
    expect(config.gapFillTimeoutMs).toBe(30_000);
    expect(config.tradeRetentionMs).toBe(86_400_000);
    expect(config.alertLimit).toBe(100);
    expect(config.feedSimulated).toBe(false);
    expect(config.coinbaseWsUrl.href).toBe('wss://ws-feed.exchange.coinbase.com/');
    expect(config.publicUrl).toBeUndefined();
  });

  it('gives the documented defaults of the realtime and alert-delivery limits', () => {
    const config = loadConfig({}, ROOT);
    expect(config.sockets).toEqual({
      limits: { perAccount: 50, perIp: 200, anonymousPerIp: 50 },
      connectTimeoutMs: 10_000,
      eventBudget: { points: 100, windowMs: 10_000 },
    });
    expect(config.rateLimits.alertHits).toEqual({ points: 100, windowMs: 60_000 });
  });

  it('gives the HTTP limits and password hashing their documented defaults', () => {
    const config = loadConfig({}, ROOT);
    expect(config.http).toEqual({ headersTimeoutMs: 15_000, requestTimeoutMs: 30_000, maxConnections: 10_000, maxConnectionsPerIp: 256 });
    expect(config.passwordHashing).toEqual({ concurrency: 2, queue: 32 });
    expect(loadConfig({ MAX_CONNECTIONS_PER_IP: '0', HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '1s' }, ROOT).http).toMatchObject({
      maxConnectionsPerIp: 0,
      headersTimeoutMs: 1_000,
      requestTimeoutMs: 1_000,
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', WINDOW: '' }, ROOT).port).toBe(3000);
  });

  it('resolves a relative DATABASE_URL from the project root', () => {
    expect(loadConfig({ DATABASE_URL: 'file:./db/x.db' }, ROOT).database).toEqual({ provider: 'sqlite', file: '/srv/tickwatch/db/x.db' });
    expect(loadConfig({ DATABASE_URL: 'file:/tmp/y.db' }, ROOT).database).toEqual({ provider: 'sqlite', file: '/tmp/y.db' });
  });

  it('reads TRUSTED_PROXIES as a list of addresses and CIDRs, none by default', () => {
    expect(loadConfig({}, ROOT).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: ' 10.0.0.0/8, 192.168.1.10 ,fd00::/8' }, ROOT).trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.10', 'fd00::/8']);
  });

  it('names the node after its host and pid unless NODE_ID says, with a 5 s lease by default', () => {
    const config = loadConfig({}, ROOT);
    expect(config.nodeId).toMatch(new RegExp(`-${process.pid}$`));
    expect(config.leaseTtlMs).toBe(5_000);
    expect(loadConfig({ NODE_ID: 'eu-1.b', LEASE_TTL: '2s' }, ROOT)).toMatchObject({ nodeId: 'eu-1.b', leaseTtlMs: 2_000 });
  });

  it('takes a postgresql:// or postgres:// URL with a host and a database as PostgreSQL', () => {
    for (const url of ['postgresql://app:secret@db.internal:5432/tickwatch', 'postgres://127.0.0.1/tickwatch?sslmode=disable']) {
      expect(loadConfig({ DATABASE_URL: url }, ROOT).database).toEqual({ provider: 'postgresql', url });
    }
  });

  it.each(['postgresql://db.internal:5432/', 'postgresql:///tickwatch', 'mysql://db/tickwatch', 'postgresql://db:notaport/x', 'postgresql://u:12/34@host/db'])(
    'refuses DATABASE_URL=%s with one line naming the variable',
    (url) => {
      expect(() => loadConfig({ DATABASE_URL: url }, ROOT)).toThrow(/^DATABASE_URL must be a SQLite file: URL .* or a postgresql:\/\/ URL/);
    },
  );

  it.each(['postgresql://app:ab/cd@db.internal:5432/', 'postgresql://db.internal/?password=hunter2&user=x', 'redis://:hunter2/x@cache'])(
    'never repeats a password of a refused URL, parsable or not (%#)',
    (url) => {
      const env = url.startsWith('redis') ? { REDIS_URL: url } : { DATABASE_URL: url };
      expect(() => loadConfig(env, ROOT)).toThrow();
      expect(() => loadConfig(env, ROOT)).not.toThrow(/hunter2|cd@|w@rd|ab\//);
    },
  );

  it('never repeats a password of a refused DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://app:hunter2@db.internal:5432/' }, ROOT)).toThrow(/app:\*\*\*@/);
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://app:hunter2@db.internal:5432/' }, ROOT)).not.toThrow(/hunter2/);
  });

  it('runs as one process without REDIS_URL, and takes redis:// and rediss:// URLs with the key prefix', () => {
    expect(loadConfig({}, ROOT).redis).toBeNull();
    for (const url of ['redis://127.0.0.1:6379', 'redis://cache.internal', 'redis://:secret@cache.internal:6380/2', 'rediss://app:secret@cache.example.com:6380/0']) {
      expect(loadConfig({ REDIS_URL: url }, ROOT).redis).toEqual({ url, keyPrefix: 'tickwatch:' });
    }
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/1', REDIS_KEY_PREFIX: 'staging:' }, ROOT).redis).toEqual({
      url: 'redis://127.0.0.1:6379/1',
      keyPrefix: 'staging:',
    });
  });

  it.each(['http://cache.internal:6379', 'redis://', 'redis:///2', 'redis://cache.internal:6379/two', 'redis://cache.internal:6379/1/2', 'cache.internal:6379', 'redis://cache:notaport'])(
    'refuses REDIS_URL=%s with one line naming the variable',
    (url) => {
      const message = errorOf({ REDIS_URL: url });
      expect(message).toMatch(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL such as redis:\/\/host:6379/);
      expect(message).not.toContain('\n');
    },
  );

  it('never repeats a password of a refused REDIS_URL', () => {
    for (const url of ['http://app:hunter2@cache.internal:6379', 'redis://:hunter2@cache.internal:6379/x', 'redis://:hunter2@cache internal']) {
      const message = errorOf({ REDIS_URL: url });
      expect(message).toMatch(/^REDIS_URL must be/);
      expect(message).not.toContain('hunter2');
    }
  });

  it('parses products, windows and rate limits', () => {
    const config = loadConfig(
      { PRODUCTS: 'BTC-USD, ETH-USD', WINDOW: '90s', RATE_LIMIT_AUTH_IP: '5/1m', PUBLIC_URL: 'https://alerts.example.com' },
      ROOT,
    );
    expect(config.products).toEqual(['BTC-USD', 'ETH-USD']);
    expect(config.windowMs).toBe(90_000);
    expect(config.rateLimits.authIp).toEqual({ points: 5, windowMs: 60_000 });
    expect(config.publicUrl?.origin).toBe('https://alerts.example.com');
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be an integer from 0 to 65535/],
    [{ PORT: '70000' }, /^PORT must be/],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /^DATABASE_URL must be a SQLite file: URL/],
    [{ WINDOW: '10' }, /^WINDOW must be an integer followed by s, m or h, from 1s to 24h/],
    [{ WINDOW: '25h' }, /^WINDOW must be/],
    [{ WINDOW: '1.5m' }, /^WINDOW must be/],
    [{ PRODUCTS: 'btc' }, /^PRODUCTS must be 1 to 50 distinct/],
    [{ PRODUCTS: 'BTC-USD,BTC-USD' }, /^PRODUCTS must be/],
    [{ PRODUCTS: Array.from({ length: 51 }, (_, i) => `A${i}-USD`).join(',') }, /^PRODUCTS must be/],
    [{ FEED_SIMULATED: 'yes' }, /^FEED_SIMULATED must be true or false/],
    [{ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL must be a http or https URL/],
    [{ COINBASE_WS_URL: 'https://example.com' }, /^COINBASE_WS_URL must be a ws or wss URL/],
    [{ BETTER_AUTH_SECRET: 'short' }, /^BETTER_AUTH_SECRET must be at least 32 characters/],
    [{ RATE_LIMIT_AUTH_IP: 'lots' }, /^RATE_LIMIT_AUTH_IP must look like <count>\/<duration>/],
    [{ ALERT_LIMIT: '0' }, /^ALERT_LIMIT must be an integer from 1/],
    [{ SOCKET_LIMIT_ACCOUNT: '0' }, /^SOCKET_LIMIT_ACCOUNT must be an integer from 1/],
    [{ SOCKET_LIMIT_IP: 'many' }, /^SOCKET_LIMIT_IP must be an integer from 1/],
    [{ SOCKET_LIMIT_IP_ANONYMOUS: '-1' }, /^SOCKET_LIMIT_IP_ANONYMOUS must be an integer from 1/],
    [{ SOCKET_CONNECT_TIMEOUT: '5m' }, /^SOCKET_CONNECT_TIMEOUT must be an integer followed by s, m or h, from 1s to 1m/],
    [{ RATE_LIMIT_SOCKET_EVENTS: '100' }, /^RATE_LIMIT_SOCKET_EVENTS must look like <count>\/<duration>/],
    [{ RATE_LIMIT_ALERT_HITS: '0/1m' }, /^RATE_LIMIT_ALERT_HITS must look like <count>\/<duration>/],
    [{ NODE_ENV: 'staging' }, /^NODE_ENV: /],
    [{ HTTP_HEADERS_TIMEOUT: '500ms' }, /^HTTP_HEADERS_TIMEOUT must be an integer followed by s, m or h/],
    [{ HTTP_HEADERS_TIMEOUT: '40s' }, /^HTTP_HEADERS_TIMEOUT \(40s\) must not be longer than HTTP_REQUEST_TIMEOUT \(30s\)/],
    [{ MAX_CONNECTIONS: '0' }, /^MAX_CONNECTIONS must be an integer from 1/],
    [{ MAX_CONNECTIONS_PER_IP: '-1' }, /^MAX_CONNECTIONS_PER_IP must be an integer from 0/],
    [{ PASSWORD_HASH_CONCURRENCY: '0' }, /^PASSWORD_HASH_CONCURRENCY must be an integer from 1 to 64/],
    [{ PASSWORD_HASH_QUEUE: 'lots' }, /^PASSWORD_HASH_QUEUE must be an integer from 0/],
    [{ LEASE_TTL: '500ms' }, /^LEASE_TTL must be an integer followed by s, m or h, from 1s to 1m/],
    [{ LEASE_TTL: '2m' }, /^LEASE_TTL must be an integer followed by s, m or h, from 1s to 1m/],
    [{ TRUSTED_PROXIES: '10.0.0.0/33' }, /^TRUSTED_PROXIES must be comma-separated IP addresses or CIDRs .*invalid range/],
    [{ TRUSTED_PROXIES: 'lb.internal' }, /^TRUSTED_PROXIES must be comma-separated IP addresses or CIDRs .*invalid IP address/],
    [{ NODE_ID: 'node 1' }, /^NODE_ID must be 1 to 64 letters, digits or \. _ : -/],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: 'has space' }, /^REDIS_KEY_PREFIX must be 1 to 64 letters, digits or : _ \. -/],
    [{ REDIS_KEY_PREFIX: 'x'.repeat(65) }, /^REDIS_KEY_PREFIX must be/],
  ])('refuses %j with one line naming the variable', (env, pattern) => {
    const message = errorOf(env);
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });
});
