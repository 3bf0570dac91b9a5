import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { type SpawnedServer, spawnServer, waitForOk } from '../support/spawn-server.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { ROOT_DIR, type TestApp, startTestApp } from '../support/test-app.ts';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

let t: TestApp;
let user: TestUser;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_AUTH_ACCOUNT: '1/1m' });
  user = await signUpUser(t.baseUrl, 'headers');
});
afterAll(async () => {
  await t.close();
});

/** The headers every response carries, whatever it is. */
function expectCommonHeaders(response: Response, what: string): void {
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
  expect(response.headers.get('x-frame-options'), what).toBe('DENY');
  expect(response.headers.get('x-powered-by'), what).toBeNull();
  expect(response.headers.get('content-security-policy'), what).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
}

/** A page policy as directive -> sources. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...sources]) => [name, sources]));
}

/** Checks a page CSP and returns its nonce. */
function expectPageCsp(csp: string | null, what: string): string {
  expect(csp, what).toBeTruthy();
  const policy = directives(csp ?? '');
  const script = policy.get('script-src') ?? [];
  const nonce = script.find((s) => s.startsWith("'nonce-"))?.slice("'nonce-".length, -1) ?? '';
  // 128 random bits, base64.
  expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  expect(script, what).toContain("'strict-dynamic'");
  expect(script, what).not.toContain("'unsafe-inline'");
  expect(script, what).not.toContain("'unsafe-eval'");
  expect(policy.get('default-src'), what).toEqual(["'self'"]);
  // The socket connects to this very origin (ws: to the same host is 'self' in CSP 3).
  expect(policy.get('connect-src'), what).toEqual(["'self'"]);
  expect(policy.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(policy.get('object-src'), what).toEqual(["'none'"]);
  expect(policy.get('base-uri'), what).toEqual(["'self'"]);
  expect(policy.get('form-action'), what).toEqual(["'self'"]);
  return nonce;
}

describe('headers on every non-page response', () => {
  it.each([
    ['health', () => fetch(`${t.baseUrl}/healthz`), 200],
    ['readiness', () => fetch(`${t.baseUrl}/readyz`), 503],
    ['metrics', () => fetch(`${t.baseUrl}/metrics`), 200],
    ['an API answer', () => user.http.request('GET', '/api/alerts'), 200],
    ['401', () => fetch(`${t.baseUrl}/api/alerts`), 401],
    ['403 cross-origin', () => user.http.request('POST', '/api/alerts', {}, { origin: 'http://evil.example' }), 403],
    ['404', () => user.http.request('GET', '/api/nothing'), 404],
    ['405', () => user.http.request('PUT', '/api/alerts', {}), 405],
    ['413', () => user.http.request('POST', '/api/alerts', { note: 'x'.repeat(20_000) }), 413],
    ['422', () => user.http.request('POST', '/api/alerts', {}), 422],
    ['a Better Auth answer', () => user.http.request('GET', '/api/auth/get-session'), 200],
    ['a Better Auth error', () => new HttpClient(t.baseUrl).signIn(uniqueEmail('nobody'), 'wrong password!'), 401],
    ['429', async () => {
      const email = uniqueEmail('limited');
      await new HttpClient(t.baseUrl).signIn(email, 'wrong password!');
      return new HttpClient(t.baseUrl).signIn(email, 'wrong password!');
    }, 429],
  ] as const)('%s carries nosniff, Referrer-Policy, DENY framing and the API policy', async (what, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
    expectCommonHeaders(response, what);
    expect(response.headers.get('content-security-policy')).toBe(API_CSP);
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });
});

describe("engine.io's own answers under /socket.io/", () => {
  it.each([
    ['an unknown transport', '/socket.io/?EIO=4&transport=bogus', 400, 'GET'],
    ['an unsupported protocol version', '/socket.io/?EIO=9&transport=polling', 400, 'GET'],
    ['an unknown session', '/socket.io/?EIO=4&transport=polling&sid=nonexistent', 400, 'GET'],
    ['a bad handshake method', '/socket.io/?EIO=4&transport=polling', 400, 'PUT'],
    ['a polling handshake', '/socket.io/?EIO=4&transport=polling', 200, 'GET'],
  ] as const)('%s carries the same security headers', async (what, target, status, method) => {
    const response = await fetch(t.baseUrl + target, { method, headers: { origin: t.baseUrl } });
    expect(response.status, what).toBe(status);
    expectCommonHeaders(response, what);
    expect(response.headers.get('content-security-policy')).toBe(API_CSP);
    await response.arrayBuffer();
  });

  it('answers a request Node cannot parse in the error shape, with the headers', async () => {
    const socket = net.connect(Number(new URL(t.baseUrl).port), '127.0.0.1');
    const text = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    });
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/);
    expect(text).toMatch(/\r\nX-Frame-Options: DENY\r\n/);
    expect(text).toContain(`Content-Security-Policy: ${API_CSP}`);
    expect(text).toContain('"code":"bad_request"');
  });
});

describe('page responses from the page gate', () => {
  it.each([
    ['/', 303],
    ['/dashboard', 303],
    ['/alerts/x', 303],
    ['/sign-in', 404], // this instance serves no pages; the gate's headers are set all the same
  ] as const)('%s has a page CSP with a fresh nonce per response', async (pathname, status) => {
    const first = await fetch(t.baseUrl + pathname, { redirect: 'manual' });
    const second = await fetch(t.baseUrl + pathname, { redirect: 'manual' });
    expect(first.status).toBe(status);
    expectCommonHeaders(first, pathname);
    const nonces = [expectPageCsp(first.headers.get('content-security-policy'), pathname), expectPageCsp(second.headers.get('content-security-policy'), pathname)];
    expect(nonces[0]).not.toBe(nonces[1]);
  });
});

describe('a page rendered by the production build', () => {
  let server: SpawnedServer;
  let baseUrl: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-pages-'));

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT_DIR, '.next/BUILD_ID'))) {
      throw new Error('no production build in .next: run `npm run build` first (`npm test` builds before the integration tests)');
    }
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    baseUrl = `http://127.0.0.1:${port}`;
    server = spawnServer({ NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: `file:${dataDir}/tickwatch.db`, LOG_LEVEL: 'warn' });
    await waitForOk(`${baseUrl}/healthz`, 90_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; server output:\n${server.output()}`);
    });
  }, 120_000);
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stamps the response\'s nonce on every script, has no inline handlers, and renews the nonce per load', async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${baseUrl}/sign-in`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expectCommonHeaders(response, '/sign-in');
      const nonce = expectPageCsp(response.headers.get('content-security-policy'), '/sign-in');
      const html = await response.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
      nonces.push(nonce);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('serves script files with a JavaScript type and nosniff', async () => {
    const html = await (await fetch(`${baseUrl}/sign-in`)).text();
    const src = /<script\b[^>]*\ssrc="([^"]+)"/.exec(html)?.[1];
    expect(src).toMatch(/^\/_next\/static\//);
    const script = await fetch(baseUrl + (src ?? ''));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^application\/javascript|^text\/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
