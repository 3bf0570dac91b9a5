import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetric } from '../support/metrics.ts';
import { closedWithin, openSocket, rawExchange, trickle } from '../support/raw-http.ts';
import { signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

/**
 * One anonymous client must not be able to hold the server's connections: every request is
 * answered (or its connection closed), slow clients are cut off at the configured timeouts, and
 * connections are capped in all and per client address. Spoken over raw sockets, as an attacker
 * would.
 */
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;

let t: TestApp;
let port: number;
/** Every line the app logs, at debug level and above. */
const lines: string[] = [];
const errorLines = () => lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

beforeAll(async () => {
  t = await startTestApp(
    { HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '2s', RATE_LIMIT_AUTH_IP: '1000/1m', LOG_LEVEL: 'debug' },
    { logDestination: { write: (line: string) => void lines.push(line) } },
  );
  port = Number(new URL(t.baseUrl).port);
});
afterAll(async () => {
  await t.close();
});

function openConnections(): Promise<number> {
  return new Promise((resolve, reject) => t.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

const get = (target: string, host = '127.0.0.1') => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

describe('malformed request targets', () => {
  const targets = ['//', '//evil.example/dashboard', 'http://', 'http://x', 'http://x/healthz', 'https://evil.example/', '/\\evil.example', '/..//evil.example', '/./%2e//evil.example', '*', 'x', '?a=1'];

  it.each(targets)('%j is answered 400 in the error shape, with the security headers, and the connection closed', async (target) => {
    const reply = await rawExchange(port, get(target), { timeoutMs: 3_000 });
    expect(reply.closed, `no answer to ${target}`).toBe(true);
    expect(reply.status).toBe(400);
    const [head = '', body = ''] = reply.text.split('\r\n\r\n');
    expect(head).toMatch(/\r\nx-content-type-options: nosniff/i);
    expect(head).toMatch(/\r\ncontent-security-policy: default-src 'none'; frame-ancestors 'none'/i);
    expect((JSON.parse(body) as { error: { code: string; message: string } }).error.code).toBe('bad_request');
  });

  it('a thousand of them leave no connection open and /healthz answering', { timeout: 60_000 }, async () => {
    const replies = await Promise.all(Array.from({ length: 1_000 }, (_, i) => rawExchange(port, get(targets[i % targets.length]!), { timeoutMs: 10_000 })));
    expect(replies.filter((r) => !r.closed || r.status !== 400)).toEqual([]);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    await expect.poll(openConnections, { timeout: 5_000 }).toBeLessThanOrEqual(1);
  });
});

describe('slow clients', () => {
  it('headers sent a byte at a time are cut off at the headers timeout (408), not 30 s later', async () => {
    const reply = await trickle(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaa', 100, 10_000);
    expect(reply.closed).toBe(true);
    expect(reply.status).toBe(408);
    expect(reply.text).toMatch(/\r\nx-frame-options: DENY/i);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(reply.elapsedMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1_500);
  });

  it('a connection that never sends a byte is closed by the headers timeout too', async () => {
    const socket = await openSocket(port);
    const started = Date.now();
    expect(await closedWithin(socket, HEADERS_TIMEOUT_MS + 3_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(HEADERS_TIMEOUT_MS + 3_000);
    socket.destroy();
  });

  it('a body sent a byte at a time is cut off at the request timeout (408), and nothing is logged as an error', async () => {
    const head = [
      'POST /api/auth/sign-in/email HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      'Content-Length: 10000',
      '',
      '{"email":"',
    ].join('\r\n');
    const reply = await trickle(port, head, 'a', 100, 15_000);
    expect(reply.closed).toBe(true);
    expect(reply.status).toBe(408);
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(reply.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
    expect(errorLines()).toEqual([]);
    expect(await readMetric(t.baseUrl, 'tickwatch_http_client_errors_total{reason="timeout"}')).toBeGreaterThanOrEqual(2);
  });
});

describe('aborted uploads', () => {
  /** Sends the head and half the body of a request, then resets the connection. */
  function abortMidBody(path: string, cookie?: string): Promise<void> {
    return new Promise((resolve) => {
      const body = JSON.stringify({ product: 'BTC-USD', direction: 'above', threshold: '1', note: 'x'.repeat(2_000) });
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(
          [
            `POST ${path} HTTP/1.1`,
            `Host: 127.0.0.1:${port}`,
            `Origin: ${t.baseUrl}`,
            'Content-Type: application/json',
            `Content-Length: ${body.length}`,
            ...(cookie ? [`Cookie: ${cookie}`] : []),
            '',
            body.slice(0, body.length / 2),
          ].join('\r\n'),
        );
        // Long enough for the server to be reading the body, then gone.
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve();
        }, 20);
      });
      socket.on('error', () => resolve());
    });
  }

  it('are logged at debug and counted, never as errors, 600 times over, and the server is fine afterwards', { timeout: 60_000 }, async () => {
    const user = await signUpUser(t.baseUrl, 'aborts');
    const before = await readMetric(t.baseUrl, 'tickwatch_http_aborted_total');
    const from = lines.length;
    for (let round = 0; round < 30; round += 1) {
      await Promise.all([
        ...Array.from({ length: 10 }, () => abortMidBody('/api/alerts', user.http.cookieHeader)),
        ...Array.from({ length: 10 }, () => abortMidBody('/api/auth/sign-in/email')),
      ]);
    }
    await expect.poll(() => readMetric(t.baseUrl, 'tickwatch_http_aborted_total'), { timeout: 5_000 }).toBeGreaterThanOrEqual(before + 500);
    expect(errorLines()).toEqual([]);
    const logged = lines.slice(from).map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logged.filter((l) => l.msg === 'request aborted by the client').every((l) => l.level === 20)).toBe(true);
    expect(logged.filter((l) => l.msg === 'request aborted by the client').length).toBeGreaterThanOrEqual(500);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await user.http.request('POST', '/api/alerts', { product: 'BTC-USD', direction: 'above', threshold: '999999' })).status).toBe(201);
    await expect.poll(openConnections, { timeout: 5_000 }).toBeLessThanOrEqual(1);
  });
});

describe('connection caps', () => {
  let capped: TestApp;
  let cappedPort: number;
  const held: net.Socket[] = [];

  beforeAll(async () => {
    capped = await startTestApp({ MAX_CONNECTIONS: '12', MAX_CONNECTIONS_PER_IP: '5' });
    cappedPort = Number(new URL(capped.baseUrl).port);
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await capped.close();
  });

  it('refuses connections past the per-address cap while other addresses are served, and admits again once one closes', async () => {
    for (let i = 0; i < 5; i += 1) held.push(await openSocket(cappedPort, '127.0.0.20'));
    const over = await rawExchange(cappedPort, get('/healthz'), { from: '127.0.0.20', timeoutMs: 3_000 });
    expect(over).toMatchObject({ closed: true, status: 0 });
    const other = await rawExchange(cappedPort, get('/healthz'), { from: '127.0.0.21', timeoutMs: 3_000 });
    expect(other.status).toBe(200);

    held.shift()?.destroy();
    await expect
      .poll(async () => (await rawExchange(cappedPort, get('/healthz'), { from: '127.0.0.20', timeoutMs: 3_000 })).status, { timeout: 3_000 })
      .toBe(200);
    expect(await readMetric(capped.baseUrl, 'tickwatch_http_connections_refused_total{reason="per_ip"}')).toBeGreaterThanOrEqual(1);
  });

  it('refuses connections past the server-wide cap, and serves again once some close', async () => {
    for (const socket of held.splice(0)) socket.destroy();
    for (let i = 0; i < 12; i += 1) held.push(await openSocket(cappedPort, `127.0.0.${30 + (i % 4)}`));
    const over = await rawExchange(cappedPort, get('/healthz'), { from: '127.0.0.40', timeoutMs: 3_000 });
    expect(over).toMatchObject({ closed: true, status: 0 });
    for (const socket of held.splice(0, 4)) socket.destroy();
    await expect.poll(async () => (await rawExchange(cappedPort, get('/healthz'), { from: '127.0.0.40', timeoutMs: 3_000 })).status, { timeout: 3_000 }).toBe(200);
    expect(await readMetric(capped.baseUrl, 'tickwatch_http_connections_refused_total{reason="max_connections"}')).toBeGreaterThanOrEqual(1);
  });
});
