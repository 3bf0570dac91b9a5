import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredApiRoutes } from '../support/declared-api-routes.ts';
import { type RawExchange, rawExchange } from '../support/raw-http.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

/**
 * The whole route table against malformed input: broken percent-encoding in path parameters,
 * odd query values, and Host headers no URL can be built from. A client's mistake is a 4xx in
 * the error shape, never a 500.
 */
let t: TestApp;
let port: number;
let user: TestUser;
let routes: string[];

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '100000/1m', RATE_LIMIT_AUTH_ACCOUNT: '100000/1m', RATE_LIMIT_ALERT_CREATE: '100000/1m' });
  port = Number(new URL(t.baseUrl).port);
  user = await signUpUser(t.baseUrl, 'fuzz');
  routes = await declaredApiRoutes();
});
afterAll(async () => {
  await t.close();
});

/** Path parameter values a browser would never send. */
const BAD_SEGMENTS = ['%', '%%', '%E0%A4%A', '%ZZ', '%C0%AF', '%ED%A0%80', '%F0%9F', '%FF', '%00', '%2F', '%u0041', '%2e%2e', 'a%', '%%30%30', 'x'.repeat(4_000)];
/** Query values of the same kind, on every parameter the routes read. */
const BAD_QUERIES = ['?since=%', '?since=%E0%A4%A', '?since=-271821-04-20T00:00:00Z', '?since=+275760-09-13T00:00:00Z', '?since=0', '?since=99999999999999999999',
  '?points=%', '?points=99999999999999999999', '?points=-1', '?limit=%ZZ', '?limit=0', '?before=%', '?before=999999999999999999999', '?unread=%', '?a=%&b=%E0'];
/** Host headers that are not a host and port. */
const BAD_HOSTS = ['a b', '[', '[::1', 'x:99999', 'x:-1', 'x:', ':80', 'a/b', 'a@b', 'a\\b', '%', '%zz', 'a?b', 'a#b', '[::1]x', '1.2.3.4:65536', 'x:1:2', '[::1]:99999'];

interface Answer {
  request: string;
  status: number;
  code: string | undefined;
}

async function send(method: string, path: string, options: { host?: string; cookie?: boolean } = {}): Promise<Answer> {
  const body = method === 'POST' || method === 'PATCH' ? '{}' : '';
  const host = options.host ?? `127.0.0.1:${port}`;
  const headers = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${host}`,
    `Origin: http://${host}`,
    'Connection: close',
    ...(options.cookie ? [`Cookie: ${user.http.cookieHeader}`] : []),
    ...(body ? ['Content-Type: application/json', `Content-Length: ${body.length}`] : []),
  ];
  const reply: RawExchange = await rawExchange(port, `${headers.join('\r\n')}\r\n\r\n${body}`, { timeoutMs: 10_000 });
  const text = reply.text.split('\r\n\r\n').slice(1).join('\r\n\r\n');
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { request: `${method} ${path.slice(0, 80)} (Host ${host.slice(0, 40)}${options.cookie ? ', signed in' : ''})`, status: reply.status, code };
}

/** A route's path with every `:param` replaced by `value`. */
const fill = (path: string, value: string) => path.replace(/:[a-z]+/gi, value);

function expectNoServerErrors(answers: Answer[]): void {
  const bad = answers.filter((a) => a.status === 0 || a.status >= 500);
  expect(bad, 'answers with no status or a 5xx').toEqual([]);
  const shapeless = answers.filter((a) => a.status >= 400 && a.code === undefined);
  expect(shapeless, '4xx answers without the error shape').toEqual([]);
}

describe('every declared API route', () => {
  it('answers a malformed path parameter with a 4xx in the error shape, signed in or not', { timeout: 120_000 }, async () => {
    const withParams = routes.filter((route) => route.includes(':'));
    expect(withParams.length).toBeGreaterThan(0);
    const answers: Answer[] = [];
    for (const route of withParams) {
      const [method = 'GET', path = '/'] = route.split(' ');
      for (const segment of BAD_SEGMENTS) {
        for (const cookie of [true, false]) answers.push(await send(method, fill(path, segment), { cookie }));
      }
    }
    expectNoServerErrors(answers);
    // The ones that are not percent-encoding at all fall through to not found or the route's own checks.
    expect(answers.find((a) => a.request.startsWith('GET /api/alerts/% '))).toMatchObject({ status: 400, code: 'bad_request' });
    expect(answers.find((a) => a.request.startsWith('GET /api/prices/%E0%A4%A '))).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('answers malformed query values with a 4xx or a 200, never a 500', { timeout: 120_000 }, async () => {
    const answers: Answer[] = [];
    for (const route of routes.filter((r) => r.startsWith('GET '))) {
      const path = fill(route.slice(4), 'BTC-USD');
      for (const query of BAD_QUERIES) answers.push(await send('GET', path + query, { cookie: true }));
    }
    expectNoServerErrors(answers);
  });

  it('answers an odd Host header with 400 on every route, auth, health and pages included', { timeout: 120_000 }, async () => {
    const targets = [
      ...routes.map((route) => route.split(' ') as [string, string]).map(([method, path]) => [method, fill(path, 'x')] as const),
      ['GET', '/api/auth/get-session'],
      ['POST', '/api/auth/sign-in/email'],
      ['POST', '/api/auth/sign-up/email'],
      ['POST', '/api/auth/sign-out'],
      ['GET', '/api/auth/%'],
      ['GET', '/healthz'],
      ['GET', '/metrics'],
      ['GET', '/sign-in'],
      ['GET', '/dashboard'],
    ] as const;
    const answers: Answer[] = [];
    for (const [method, path] of targets) {
      for (const host of BAD_HOSTS) answers.push(await send(method, path, { host, cookie: true }));
    }
    expectNoServerErrors(answers);
    expect(answers.filter((a) => a.status !== 400)).toEqual([]);
  });

  it('answers broken percent-encoding under /api/auth/ with a 4xx', async () => {
    const answers: Answer[] = [];
    for (const segment of BAD_SEGMENTS) {
      answers.push(await send('GET', `/api/auth/${segment}`));
      answers.push(await send('POST', `/api/auth/${segment}/email`));
      answers.push(await send('GET', `/api/auth/get-session?x=${segment}`, { cookie: true }));
    }
    expectNoServerErrors(answers);
  });

  it('is still serving afterwards', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await user.http.request('GET', '/api/alerts')).status).toBe(200);
  });
});
