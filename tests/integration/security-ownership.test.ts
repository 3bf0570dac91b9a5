import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/realtime/events.ts';
import { declaredApiRoutes } from '../support/declared-api-routes.ts';
import { HttpClient } from '../support/http-client.ts';
import { expiredSessionCookie, signedOutSessionCookie } from '../support/dead-session-cookies.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

const PRODUCT = 'BTC-USD';
const ALERT_BODY = { product: PRODUCT, basis: 'last', direction: 'above', threshold: '999999' };

interface OwnerData {
  alertId: string;
  notificationId: number;
}

/** The request a signed-in owner would send to each route, given the owner's ids. */
type RouteCall = (own: OwnerData) => { path: string; body?: unknown };

/** Every API route, with a valid request. A route missing here fails the first test. */
const ROUTES: Record<string, RouteCall> = {
  'GET /api/market': () => ({ path: '/api/market' }),
  'GET /api/prices/:product': () => ({ path: `/api/prices/${PRODUCT}` }),
  'GET /api/alerts': () => ({ path: '/api/alerts' }),
  'POST /api/alerts': () => ({ path: '/api/alerts', body: ALERT_BODY }),
  'GET /api/alerts/:id': ({ alertId }) => ({ path: `/api/alerts/${alertId}` }),
  'PATCH /api/alerts/:id': ({ alertId }) => ({ path: `/api/alerts/${alertId}`, body: { threshold: '1' } }),
  'DELETE /api/alerts/:id': ({ alertId }) => ({ path: `/api/alerts/${alertId}` }),
  'GET /api/notifications': () => ({ path: '/api/notifications?unread=1' }),
  'POST /api/notifications/read': ({ notificationId }) => ({ path: '/api/notifications/read', body: { ids: [notificationId] } }),
};
const ROUTE_KEYS = Object.keys(ROUTES).sort();

let t: TestApp;
let owner: TestUser;
let intruder: TestUser;
let own: OwnerData;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_ALERT_CREATE: '1000/1m' });
  owner = await signUpUser(t.baseUrl, 'owner');
  intruder = await signUpUser(t.baseUrl, 'intruder');
  const created = await owner.http.request('POST', '/api/alerts', { ...ALERT_BODY, note: 'mine' });
  expect(created.status).toBe(201);
  const { alert } = (await created.json()) as { alert: Alert };
  // A fired alert's notification, as the evaluator writes it (the feed is not needed for ownership).
  const notification = await t.app.db.notification.create({
    data: {
      alertId: alert.id,
      userId: owner.id,
      arming: 1,
      product: PRODUCT,
      basis: 'last',
      direction: 'above',
      threshold: '999999',
      value: '1000000.00000000',
      tradeId: 1n,
      tradeTime: new Date().toISOString(),
      windowCount: 1,
    },
  });
  own = { alertId: alert.id, notificationId: notification.id };
});
afterAll(async () => {
  await t.close();
});

function send(client: HttpClient | null, key: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const method = key.split(' ')[0] ?? 'GET';
  const { path, body } = (ROUTES[key] as RouteCall)(own);
  if (client) return client.request(method, path, body, extraHeaders);
  return new HttpClient(t.baseUrl).request(method, path, body, extraHeaders);
}

/** The owner's data is exactly as it was set up: nothing another caller did reached it. */
async function expectOwnerDataIntact(): Promise<void> {
  const alert = await t.app.db.alert.findUnique({ where: { id: own.alertId } });
  expect(alert).toMatchObject({ userId: owner.id, threshold: '999999', status: 'armed', note: 'mine' });
  const notification = await t.app.db.notification.findUnique({ where: { id: own.notificationId } });
  expect(notification).toMatchObject({ userId: owner.id, readAt: null });
  expect((await owner.http.request('GET', `/api/alerts/${own.alertId}`)).status).toBe(200);
}

describe('every API route needs a session', () => {
  it('the route table covers every route declared in server/http/routes', async () => {
    expect(ROUTE_KEYS).toEqual(await declaredApiRoutes());
  });

  const cookies: Array<[string, () => Promise<string | null>]> = [
    ['no cookie', () => Promise.resolve(null)],
    ['a forged session cookie', () => Promise.resolve('better-auth.session_token=forged-token.forged-signature')],
    ['the cookie of an expired session', () => expiredSessionCookie(t)],
    ['the cookie of a signed-out session', () => signedOutSessionCookie(t)],
  ];

  describe.each(cookies)('with %s', (_label, makeCookie) => {
    it.each(ROUTE_KEYS)('%s is 401 in the error shape and changes nothing', async (key) => {
      const cookie = await makeCookie();
      const response = await send(null, key, cookie ? { cookie } : {});
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: 'Sign in to use this.' } });
      await expectOwnerDataIntact();
    });
  });
});

describe("another user's alerts and notifications", () => {
  /** What the intruder sees on each route when it uses the owner's ids. */
  const INTRUDER: Record<string, (response: Response) => Promise<void>> = {
    // Market data belongs to nobody: the same for every signed-in user.
    'GET /api/market': async (response) => expect(((await response.json()) as { products: string[] }).products).toEqual([PRODUCT]),
    'GET /api/prices/:product': async (response) => expect(((await response.json()) as { product: string }).product).toBe(PRODUCT),
    'GET /api/alerts': async (response) => {
      const { alerts } = (await response.json()) as { alerts: Alert[] };
      expect(alerts.map((a) => a.id)).not.toContain(own.alertId);
    },
    'POST /api/alerts': async (response) => {
      expect(response.status).toBe(201);
      const { alert } = (await response.json()) as { alert: Alert };
      expect((await t.app.db.alert.findUnique({ where: { id: alert.id } }))?.userId).toBe(intruder.id);
    },
    'GET /api/alerts/:id': expectHidden,
    'PATCH /api/alerts/:id': expectHidden,
    'DELETE /api/alerts/:id': expectHidden,
    'GET /api/notifications': async (response) => {
      expect(await response.json()).toEqual({ notifications: [], unread: 0 });
    },
    'POST /api/notifications/read': async (response) => {
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ updated: 0 });
    },
  };

  /** 404, word for word what an id that never existed gets: ids cannot be probed. */
  async function expectHidden(response: Response): Promise<void> {
    expect(response.status).toBe(404);
    const body = (await response.json()) as unknown;
    const missing = await intruder.http.request('GET', '/api/alerts/00000000-0000-4000-8000-000000000000');
    expect(body).toEqual(await missing.json());
    expect(body).toEqual({ error: { code: 'not_found', message: 'There is no such alert.' } });
  }

  it('the intruder table covers every route', () => {
    expect(Object.keys(INTRUDER).sort()).toEqual(ROUTE_KEYS);
  });

  it.each(ROUTE_KEYS)('%s by another user with the owner\'s ids reveals and changes nothing of theirs, and is never 403', async (key) => {
    const response = await send(intruder.http, key);
    expect(response.status).not.toBe(403);
    await (INTRUDER[key] as (r: Response) => Promise<void>)(response);
    await expectOwnerDataIntact();
  });

  it.each([
    ['PATCH', `re-arm`, { status: 'armed' }, ''],
    ['PATCH', 'with a trailing slash', { note: 'theirs now' }, '/'],
    ['GET', 'with a query string', undefined, '?x=1'],
    ['DELETE', 'with a trailing slash', undefined, '/'],
  ] as const)('%s of their alert (%s) is 404', async (method, _label, body, suffix) => {
    const response = await intruder.http.request(method, `/api/alerts/${encodeURIComponent(own.alertId)}${suffix}`, body);
    expect(response.status).toBe(404);
    await expectOwnerDataIntact();
  });

  it('cannot create an alert for someone else by naming them in the body', async () => {
    const before = await t.app.db.alert.count({ where: { userId: owner.id } });
    const response = await intruder.http.request('POST', '/api/alerts', { ...ALERT_BODY, userId: owner.id });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('Unknown field "userId".');
    expect(await t.app.db.alert.count({ where: { userId: owner.id } })).toBe(before);
  });

  it('cannot page into their notifications with before=<their id>', async () => {
    const response = await intruder.http.request('GET', `/api/notifications?before=${own.notificationId + 1}&limit=200`);
    expect(await response.json()).toEqual({ notifications: [], unread: 0 });
  });

  it('cannot revoke their session with its token (Better Auth checks the owner)', async () => {
    const session = await t.app.db.session.findFirstOrThrow({ where: { userId: owner.id } });
    await intruder.http.request('POST', '/api/auth/revoke-session', { token: session.token });
    expect(await t.app.db.session.count({ where: { id: session.id } })).toBe(1);
    expect((await owner.http.request('GET', '/api/alerts')).status).toBe(200);
  });
});
