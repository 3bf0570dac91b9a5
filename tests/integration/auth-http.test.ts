import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_AUTH_ACCOUNT: '3/1m' });
});
afterAll(async () => {
  await t.close();
});

describe('sign-up and sign-in', () => {
  it('signs up, sets an httpOnly SameSite=Lax session cookie, and signs in again after sign-out', async () => {
    const client = new HttpClient(t.baseUrl);
    const email = uniqueEmail();
    const signUp = await client.signUp(email);
    expect(signUp.status).toBe(200);
    const cookie = signUp.headers.getSetCookie().find((c) => c.includes('session_token'));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);

    const session = await client.request('GET', '/api/auth/get-session');
    expect(((await session.json()) as { user: { email: string } }).user.email).toBe(email);

    expect((await client.request('POST', '/api/auth/sign-out', {})).status).toBe(200);
    const after = await client.request('GET', '/api/auth/get-session');
    expect(await after.json()).toBeNull();

    expect((await client.signIn(email)).status).toBe(200);
  });

  it('stores the password hashed, never in clear', async () => {
    const client = new HttpClient(t.baseUrl);
    const email = uniqueEmail();
    await client.signUp(email, 'a very secret phrase');
    const account = await t.app.db.account.findFirst({ where: { user: { email } } });
    expect(account?.password).toBeTruthy();
    expect(account?.password).not.toContain('a very secret phrase');
  });

  it('answers a wrong password, an existing email and a weak password with clear errors, storing nothing', async () => {
    const client = new HttpClient(t.baseUrl);
    const email = uniqueEmail();
    await client.signUp(email);

    const wrong = await new HttpClient(t.baseUrl).signIn(email, 'not the password');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/invalid email or password/i);

    const again = await new HttpClient(t.baseUrl).signUp(email);
    expect(again.status).toBe(422);
    expect(((await again.json()) as { message: string }).message).toMatch(/already exists/i);

    const weakEmail = uniqueEmail();
    const weak = await new HttpClient(t.baseUrl).signUp(weakEmail, 'short');
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as { message: string }).message).toMatch(/password too short/i);

    const badEmail = await new HttpClient(t.baseUrl).signUp('not-an-email');
    expect(badEmail.status).toBe(400);
    expect(await t.app.db.user.count({ where: { email: { in: [weakEmail, 'not-an-email'] } } })).toBe(0);
  });

  it('limits sign-in attempts per account with 429 and Retry-After', async () => {
    const email = uniqueEmail('limited');
    await new HttpClient(t.baseUrl).signUp(email);
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 4; i += 1) {
      last = await new HttpClient(t.baseUrl).signIn(email, 'wrong password!');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await last?.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/too many/i);
  });
});

describe('request guard', () => {
  it('refuses a cross-origin POST with 403 and the API error shape', async () => {
    const response = await new HttpClient(t.baseUrl).request(
      'POST',
      '/api/auth/sign-up/email',
      { email: uniqueEmail(), password: 'correct horse battery', name: 'x' },
      { origin: 'http://evil.example' },
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('cross_origin');
  });

  it('refuses a body over the limit with 413 and a non-JSON body with 400, and keeps serving', async () => {
    const client = new HttpClient(t.baseUrl);
    const huge = await client.request('POST', '/api/auth/sign-in/email', { email: 'x'.repeat(40_000) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

    const notJson = await client.request('POST', '/api/auth/sign-in/email', '{not json', {
      'content-type': 'application/json',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);

    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it('answers an unknown API route with 404 in the error shape', async () => {
    const response = await fetch(`${t.baseUrl}/api/nothing-here`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('sets the security headers on API responses', async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});

describe('operations endpoints', () => {
  it('reports health, readiness and Prometheus metrics', async () => {
    expect(await (await fetch(`${t.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    // This app's feed points at a closed port: the database is fine, the feed is not, so not ready.
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks).toEqual({
      database: 'ok',
      feed: 'not ready',
    });
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toContain('tickwatch_http_requests_total');
    expect(metrics).toContain('nodejs_eventloop_lag_seconds');
    expect(metrics).toContain('tickwatch_sockets_connected');
  });
});
