import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/realtime/events.ts';
import { uniqueEmail } from '../support/http-client.ts';
import { type RawResponse, requestFrom } from '../support/request-from.ts';
import { signUpUser } from '../support/sign-up-user.ts';
import { expectRateLimited } from '../support/expect-rate-limited.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

const PASSWORD = 'correct horse battery';
const IP_LIMIT = 3;
const ACCOUNT_LIMIT = 2;

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: `${IP_LIMIT}/1m`, RATE_LIMIT_AUTH_ACCOUNT: `${ACCOUNT_LIMIT}/1m` });
});
afterAll(async () => {
  await t.close();
});

/** Loopback addresses, one per scenario, so the per-IP budgets of the tests do not mix. */
let nextHost = 10;
function freshIp(): string {
  nextHost += 1;
  return `127.0.0.${nextHost}`;
}

function credentials(from: string, route: 'sign-in' | 'sign-up', email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<RawResponse> {
  return requestFrom(from, `${t.baseUrl}/api/auth/${route}/email`, {
    method: 'POST',
    headers: { origin: t.baseUrl, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password, name: 'x' }),
  });
}

async function existingAccount(): Promise<string> {
  const email = uniqueEmail('limited');
  expect((await credentials(freshIp(), 'sign-up', email)).status).toBe(200);
  return email;
}

describe('sign-in and sign-up per client IP', () => {
  it('counts sign-in attempts per address: 429 after the limit (and in the metrics), other addresses unaffected', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < IP_LIMIT; i += 1) statuses.push((await credentials(ip, 'sign-in', uniqueEmail('ip'), 'wrong password!')).status);
    expect(statuses).toEqual([401, 401, 401]);
    expectRateLimited(await credentials(ip, 'sign-in', uniqueEmail('ip'), 'wrong password!'), /^Too many sign-in attempts from your address\./);
    expect((await credentials(freshIp(), 'sign-in', uniqueEmail('ip'), 'wrong password!')).status).toBe(401);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(Number(/^tickwatch_rate_limited_total\{limit="auth_ip"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('takes the address from the connection, never from X-Forwarded-For, X-Real-IP or Forwarded', async () => {
    const ip = freshIp();
    for (let i = 0; i < IP_LIMIT; i += 1) await credentials(ip, 'sign-in', uniqueEmail('xff'), 'wrong password!');
    const spoofs: Array<Record<string, string>> = [
      { 'x-forwarded-for': '203.0.113.7' },
      { 'x-real-ip': '203.0.113.8' },
      { forwarded: 'for=203.0.113.9' },
      { 'x-forwarded-for': `${freshIp()}, 203.0.113.10` },
    ];
    for (const spoof of spoofs) {
      expectRateLimited(await credentials(ip, 'sign-in', uniqueEmail('xff'), 'wrong password!', spoof), /from your address/);
    }
  });

  it('records the connection\'s address on the session, never one a client claims in a header', async () => {
    const ip = freshIp();
    const email = uniqueEmail('session-ip');
    const spoofs = { 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.8', forwarded: 'for=203.0.113.9', 'x-tickwatch-client-ip': '203.0.113.10' };
    expect((await credentials(ip, 'sign-up', email, PASSWORD, spoofs)).status).toBe(200);
    expect((await credentials(ip, 'sign-in', email, PASSWORD, spoofs)).status).toBe(200);
    const sessions = await t.app.db.session.findMany({ where: { user: { email } } });
    expect(sessions.map((s) => s.ipAddress)).toEqual([ip, ip]);
  });

  it('counts sign-ups in the same budget: the attempt past the limit creates no account', async () => {
    const ip = freshIp();
    const emails = Array.from({ length: IP_LIMIT + 1 }, () => uniqueEmail('signup-ip'));
    const statuses: number[] = [];
    for (const email of emails.slice(0, IP_LIMIT)) statuses.push((await credentials(ip, 'sign-up', email)).status);
    expect(statuses).toEqual([200, 200, 200]);
    expectRateLimited(await credentials(ip, 'sign-up', emails[IP_LIMIT] ?? ''), /from your address/);
    expect(await t.app.db.user.count({ where: { email: emails[IP_LIMIT] ?? '' } })).toBe(0);
  });
});

describe('behind a trusted proxy (TRUSTED_PROXIES)', () => {
  const PROXY = '127.0.0.200';
  let behind: TestApp;
  beforeAll(async () => {
    behind = await startTestApp({ RATE_LIMIT_AUTH_IP: `${IP_LIMIT}/1m`, RATE_LIMIT_AUTH_ACCOUNT: '1000/1m', TRUSTED_PROXIES: `${PROXY}/32` });
  });
  afterAll(async () => {
    await behind.close();
  });

  function via(from: string, forwardedFor: string | null, email: string, route: 'sign-in' | 'sign-up' = 'sign-in', password = 'wrong password!'): Promise<RawResponse> {
    return requestFrom(from, `${behind.baseUrl}/api/auth/${route}/email`, {
      method: 'POST',
      headers: { origin: behind.baseUrl, 'content-type': 'application/json', ...(forwardedFor === null ? {} : { 'x-forwarded-for': forwardedFor }) },
      body: JSON.stringify({ email, password, name: 'x' }),
    });
  }

  it('counts each forwarded client on its own, and records its address on the session', async () => {
    for (let i = 0; i < IP_LIMIT; i += 1) expect((await via(PROXY, '198.51.100.1', uniqueEmail('proxied'))).status).toBe(401);
    expectRateLimited(await via(PROXY, '198.51.100.1', uniqueEmail('proxied')), /from your address/);
    // Another client behind the same proxy has its own budget.
    expect((await via(PROXY, '198.51.100.2', uniqueEmail('proxied'))).status).toBe(401);
    // A client cannot escape by prepending addresses: the proxy appends the one it saw.
    expectRateLimited(await via(PROXY, '203.0.113.50, 198.51.100.1', uniqueEmail('proxied')), /from your address/);
    const email = uniqueEmail('proxied-session');
    expect((await via(PROXY, '198.51.100.3', email, 'sign-up', PASSWORD)).status).toBe(200);
    const sessions = await behind.app.db.session.findMany({ where: { user: { email } } });
    expect(sessions.map((session) => session.ipAddress)).toEqual(['198.51.100.3']);
  });

  it('believes X-Forwarded-For from the trusted proxies only', async () => {
    const direct = '127.0.0.201';
    for (let i = 0; i < IP_LIMIT; i += 1) await via(direct, `198.51.100.${10 + i}`, uniqueEmail('direct'));
    expectRateLimited(await via(direct, '198.51.100.99', uniqueEmail('direct')), /from your address/);
  });
});

describe('sign-in and sign-up per account', () => {
  it('limits one account across addresses, however the address is written, and refuses even the right password', async () => {
    const email = await existingAccount(); // the sign-up used one of the account's attempts
    expect((await credentials(freshIp(), 'sign-in', email, 'wrong password!')).status).toBe(401);
    expectRateLimited(await credentials(freshIp(), 'sign-in', `  ${email.toUpperCase()} `, 'wrong password!'), /^Too many sign-in attempts for this account\./);
    // While limited, a correct guess is not confirmed and no session is made.
    const sessions = await t.app.db.session.count();
    expectRateLimited(await credentials(freshIp(), 'sign-in', email), /for this account/);
    expect(await t.app.db.session.count()).toBe(sessions);
    // Other accounts are unaffected.
    expect((await credentials(freshIp(), 'sign-in', await existingAccount())).status).toBe(200);
  });

  it('limits repeated sign-ups for one address across client addresses', async () => {
    const email = uniqueEmail('signup-account');
    expect((await credentials(freshIp(), 'sign-up', email)).status).toBe(200);
    expect((await credentials(freshIp(), 'sign-up', email)).status).toBe(422); // already exists
    expectRateLimited(await credentials(freshIp(), 'sign-up', email), /for this account/);
  });
});

describe('alert creation per user', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_ALERT_CREATE: '3/1m' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('is 429 with Retry-After past the limit, deleting does not refill it, and other users are unaffected', async () => {
    const user = await signUpUser(app.baseUrl, 'creator');
    const body = { product: 'BTC-USD', basis: 'last', direction: 'above', threshold: '999999' };
    const created: Alert[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await user.http.request('POST', '/api/alerts', body);
      expect(response.status).toBe(201);
      created.push(((await response.json()) as { alert: Alert }).alert);
    }
    const over = await user.http.request('POST', '/api/alerts', body);
    expectRateLimited({ status: over.status, headers: Object.fromEntries(over.headers), text: await over.text() }, /^Too many alerts created\./);
    expect(await app.app.db.alert.count({ where: { userId: user.id } })).toBe(3);

    expect((await user.http.request('DELETE', `/api/alerts/${created[0]?.id ?? ''}`)).status).toBe(204);
    expect((await user.http.request('POST', '/api/alerts', body)).status).toBe(429);

    const other = await signUpUser(app.baseUrl, 'other-creator');
    expect((await other.http.request('POST', '/api/alerts', body)).status).toBe(201);
  });
});
