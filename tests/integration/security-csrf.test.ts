import { type Socket, io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/realtime/events.ts';
import { declaredApiRoutes } from '../support/declared-api-routes.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

const PASSWORD = 'correct horse battery';
const LIMITS = { RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_AUTH_ACCOUNT: '1000/1m', RATE_LIMIT_ALERT_CREATE: '1000/1m' };

let t: TestApp;
let victim: TestUser;
let alert: Alert;

beforeAll(async () => {
  t = await startTestApp(LIMITS);
  victim = await signUpUser(t.baseUrl, 'victim', PASSWORD);
  const created = await victim.http.request('POST', '/api/alerts', { product: 'BTC-USD', basis: 'last', direction: 'above', threshold: '999999' });
  alert = ((await created.json()) as { alert: Alert }).alert;
});
afterAll(async () => {
  await t.close();
});

/** Origins a cross-site page could send, and a write with the cookie but no Origin at all. */
function foreignOrigins(): Array<[string, string | null]> {
  const port = new URL(t.baseUrl).port;
  return [
    ['another site', 'http://evil.example'],
    ['an opaque origin', 'null'],
    ['another port on this host', 'http://127.0.0.1:1'],
    ['another name for this host', `http://localhost:${port}`],
    ['a look-alike host', `http://127.0.0.1:${port}.evil.example`],
    ['no Origin header', null],
  ];
}

/** A state-changing request of each route, as the victim's page would send it. */
function writeBody(path: string): unknown {
  const bodies: Record<string, unknown> = {
    '/api/alerts': { product: 'BTC-USD', direction: 'below', threshold: '1' },
    '/api/notifications/read': { ids: [1] },
    '/api/auth/sign-up/email': { email: uniqueEmail('csrf'), password: PASSWORD, name: 'x' },
    '/api/auth/sign-in/email': { email: victim.email, password: PASSWORD },
    '/api/auth/change-password': { currentPassword: PASSWORD, newPassword: 'attacker chose this', revokeOtherSessions: true },
    '/api/auth/change-email': { newEmail: uniqueEmail('attacker') },
    '/api/auth/update-user': { name: 'attacker' },
    '/api/auth/delete-user': { password: PASSWORD },
  };
  return bodies[path] ?? (path.startsWith('/api/alerts/') ? { threshold: '1' } : {});
}

/** The victim's account, session and data are exactly as before the forged requests. */
async function expectVictimIntact(): Promise<void> {
  const user = await t.app.db.user.findUniqueOrThrow({ where: { id: victim.id } });
  expect(user).toMatchObject({ email: victim.email, name: 'Test User' });
  expect((await victim.http.request('GET', '/api/alerts')).status).toBe(200);
  const row = await t.app.db.alert.findUniqueOrThrow({ where: { id: alert.id } });
  expect(row).toMatchObject({ threshold: '999999', direction: 'above' });
  expect(await t.app.db.alert.count({ where: { userId: victim.id } })).toBe(1);
  expect((await new HttpClient(t.baseUrl).signIn(victim.email, PASSWORD)).status).toBe(200);
}

async function stateChangingRoutes(): Promise<string[]> {
  const api = (await declaredApiRoutes())
    .filter((key) => !key.startsWith('GET '))
    .map((key) => key.replace(':id', alert.id));
  // Every Better Auth endpoint that accepts POST, read from the running instance.
  const auth = Object.values(t.app.auth.api as Record<string, { path?: string; options?: { method?: string | string[] } }>)
    .filter((endpoint) => endpoint.path !== undefined && [endpoint.options?.method].flat().includes('POST'))
    .map((endpoint) => `POST /api/auth${(endpoint.path ?? '').replace(/:\w+/g, 'x')}`);
  return [...api, ...auth].sort();
}

describe('CSRF: every state-changing route refuses a cross-origin request', () => {
  it('covers the JSON API writes and at least the Better Auth writes the app uses', async () => {
    const routes = await stateChangingRoutes();
    for (const key of ['POST /api/alerts', `PATCH /api/alerts/${alert.id}`, `DELETE /api/alerts/${alert.id}`, 'POST /api/notifications/read']) {
      expect(routes).toContain(key);
    }
    for (const path of ['sign-up/email', 'sign-in/email', 'sign-out', 'change-password', 'delete-user', 'revoke-sessions', 'update-user']) {
      expect(routes).toContain(`POST /api/auth/${path}`);
    }
  });

  it('answers each route with 403 cross_origin for every foreign origin, with the victim\'s cookie, and changes nothing', async () => {
    const routes = await stateChangingRoutes();
    for (const key of routes) {
      const [method = 'POST', path = '/'] = key.split(' ');
      for (const [label, origin] of foreignOrigins()) {
        const response = await fetch(t.baseUrl + path, {
          method,
          headers: { cookie: victim.http.cookieHeader, 'content-type': 'application/json', ...(origin === null ? {} : { origin }) },
          body: JSON.stringify(writeBody(path)),
        });
        expect(response.status, `${key} from ${label}`).toBe(403);
        expect(await response.json(), `${key} from ${label}`).toEqual({
          error: { code: 'cross_origin', message: 'This request came from another site and was refused.' },
        });
      }
    }
    await expectVictimIntact();
  });

  it('lets the same request through from the page\'s own origin (so the refusals are about the Origin)', async () => {
    const response = await victim.http.request('POST', '/api/auth/update-user', { name: 'Test User' });
    expect(response.status).toBe(200);
    const sameHostOverHttps = await victim.http.request('GET', '/api/alerts', undefined, { origin: t.baseUrl.replace('http:', 'https:') });
    expect(sameHostOverHttps.status).toBe(200);
  });

  it('grants no CORS access: reads from another origin get no Access-Control-Allow-* headers', async () => {
    for (const path of ['/api/alerts', '/api/auth/get-session', '/api/notifications']) {
      const read = await fetch(t.baseUrl + path, { headers: { origin: 'http://evil.example', cookie: victim.http.cookieHeader } });
      const preflight = await fetch(t.baseUrl + path, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      for (const response of [read, preflight]) {
        const granted = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
        expect(granted, path).toEqual([]);
      }
    }
  });

  it('refuses form-encoded and text bodies (what a cross-site form can send) even from the own origin', async () => {
    for (const [type, body] of [
      ['text/plain', '{"product":"BTC-USD","direction":"above","threshold":"1"}'],
      ['application/x-www-form-urlencoded', 'product=BTC-USD&direction=above&threshold=1'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="product"\r\n\r\nBTC-USD\r\n--x--'],
    ]) {
      for (const path of ['/api/alerts', '/api/auth/update-user']) {
        const response = await victim.http.request('POST', path, body, { 'content-type': type as string });
        expect(response.status, `${type} to ${path}`).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
      }
    }
    await expectVictimIntact();
  });

  it('refuses a Socket.IO handshake from another origin even with a valid cookie', async () => {
    for (const [label, origin] of foreignOrigins().filter(([, o]) => o !== null)) {
      const socket: Socket = io(t.baseUrl, { transports: ['websocket'], reconnection: false, extraHeaders: { origin: origin as string, cookie: victim.http.cookieHeader } });
      const outcome = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error) => resolve(error.message));
      });
      socket.disconnect();
      expect(outcome, label).not.toBe('connected');
    }
  });
});

describe('session cookies', () => {
  it('are HttpOnly and SameSite=Lax on sign-up, sign-in and sign-out, and not Secure over plain http', async () => {
    const client = new HttpClient(t.baseUrl);
    const email = uniqueEmail('cookie');
    const lines = [
      ...(await client.signUp(email)).headers.getSetCookie(),
      ...(await client.signIn(email)).headers.getSetCookie(),
      ...(await client.request('POST', '/api/auth/sign-out', {})).headers.getSetCookie(),
    ];
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      expect(line).toMatch(/;\s*HttpOnly/i);
      expect(line).toMatch(/;\s*SameSite=Lax/i);
      expect(line).not.toMatch(/;\s*Secure/i);
    }
  });

  describe('behind https (PUBLIC_URL=https://...)', () => {
    const PUBLIC = 'https://tickwatch.example';
    let secure: TestApp;

    beforeAll(async () => {
      secure = await startTestApp({ ...LIMITS, PUBLIC_URL: PUBLIC });
    });
    afterAll(async () => {
      await secure.close();
    });

    it('sets Secure, HttpOnly, SameSite=Lax __Secure- cookies and HSTS, and the cookie works', async () => {
      const client = new HttpClient(secure.baseUrl);
      const email = uniqueEmail('https');
      const signUp = await client.request('POST', '/api/auth/sign-up/email', { email, password: PASSWORD, name: 'x' }, { origin: PUBLIC });
      expect(signUp.status).toBe(200);
      const signIn = await client.request('POST', '/api/auth/sign-in/email', { email, password: PASSWORD }, { origin: PUBLIC });
      const lines = [...signUp.headers.getSetCookie(), ...signIn.headers.getSetCookie()];
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) {
        expect(line).toMatch(/^__Secure-better-auth\.session_token=/);
        expect(line).toMatch(/;\s*Secure/i);
        expect(line).toMatch(/;\s*HttpOnly/i);
        expect(line).toMatch(/;\s*SameSite=Lax/i);
      }
      expect(signIn.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect((await client.request('GET', '/api/alerts', undefined, { origin: PUBLIC })).status).toBe(200);
    });

    it('pins the origin to PUBLIC_URL: the Host the request reached is no longer same-origin', async () => {
      const client = new HttpClient(secure.baseUrl);
      const response = await client.request('POST', '/api/auth/sign-up/email', { email: uniqueEmail('pinned'), password: PASSWORD, name: 'x' });
      expect(response.status).toBe(403);
      const http = await client.request('POST', '/api/auth/sign-up/email', { email: uniqueEmail('pinned'), password: PASSWORD, name: 'x' }, { origin: PUBLIC.replace('https:', 'http:') });
      expect(http.status).toBe(403);
    });
  });
});
