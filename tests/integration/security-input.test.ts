import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../lib/realtime/events.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

const PRODUCT = 'BTC-USD';
const ALERT = { product: PRODUCT, basis: 'last', direction: 'above', threshold: '999999' };
const LEVELS = 100_000;

interface ErrorBody {
  error: { code: string; message: string };
}

let t: TestApp;
/** A second app whose body limit lets 100k levels of nesting reach the parser. */
let roomy: TestApp;
let user: TestUser;
let roomyUser: TestUser;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_AUTH_ACCOUNT: '1000/1m', RATE_LIMIT_ALERT_CREATE: '1000/1m', ALERT_LIMIT: '1000' });
  roomy = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', MAX_BODY_BYTES: '1048576' });
  user = await signUpUser(t.baseUrl, 'input');
  roomyUser = await signUpUser(roomy.baseUrl, 'roomy');
});
afterAll(async () => {
  await t.close();
  await roomy.close();
});

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return ((await response.json()) as ErrorBody).error;
}

/** Sends `text` as a JSON body, unchanged. */
function rawJson(client: HttpClient, method: string, path: string, text: string | Uint8Array<ArrayBuffer>): Promise<Response> {
  return fetch(client.baseUrl + path, {
    method,
    headers: { origin: client.baseUrl, cookie: client.cookieHeader, 'content-type': 'application/json' },
    body: text,
  });
}

async function createAlert(body: Record<string, unknown>): Promise<Response> {
  return user.http.request('POST', '/api/alerts', { ...ALERT, ...body });
}

async function expectServing(app: TestApp): Promise<void> {
  expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
}

describe('over-long strings', () => {
  it('accepts a note of 280 characters (emoji count as one) and refuses 281 with 422', async () => {
    const fits = '😀'.repeat(280);
    const created = await createAlert({ note: fits });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { alert: Alert }).alert.note).toBe(fits);

    const over = await createAlert({ note: '😀'.repeat(281) });
    expect(over.status).toBe(422);
    expect(await errorOf(over)).toMatchObject({ code: 'validation_failed', message: 'The note can have at most 280 characters.' });
  });

  it('refuses an over-long email or name at sign-up with 422 and creates no account', async () => {
    const longEmail = `${'a'.repeat(5_000)}@example.com`;
    const cases: Array<[Record<string, string>, string]> = [
      [{ email: longEmail, name: 'x' }, 'The email address can have at most 254 characters.'],
      [{ email: `${'b'.repeat(243)}@example.com`, name: 'x' }, 'The email address can have at most 254 characters.'],
      [{ email: uniqueEmail('long-name'), name: 'n'.repeat(101) }, 'The name can have at most 100 characters.'],
    ];
    for (const [fields, message] of cases) {
      const response = await new HttpClient(t.baseUrl).request('POST', '/api/auth/sign-up/email', { password: 'correct horse battery', ...fields });
      expect(response.status, JSON.stringify(fields).slice(0, 60)).toBe(422);
      expect(await errorOf(response)).toMatchObject({ code: 'validation_failed', message });
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await t.app.db.user.count({ where: { email: fields.email ?? '' } })).toBe(0);
    }
    // At the limits, both are fine.
    const atLimit = await new HttpClient(t.baseUrl).request('POST', '/api/auth/sign-up/email', {
      email: `${'c'.repeat(242)}@example.com`,
      name: 'n'.repeat(100),
      password: 'correct horse battery',
    });
    expect(atLimit.status).toBe(200);
  });

  it('refuses an over-long email at sign-in, a long name on update-user and a long new email on change-email', async () => {
    const signIn = await new HttpClient(t.baseUrl).signIn(`${'a'.repeat(300)}@example.com`);
    expect(signIn.status).toBe(422);

    const someone = await signUpUser(t.baseUrl, 'rename');
    const rename = await someone.http.request('POST', '/api/auth/update-user', { name: 'n'.repeat(10_000) });
    expect(rename.status).toBe(422);
    expect((await errorOf(rename)).message).toBe('The name can have at most 100 characters.');
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: someone.id } })).name).toBe('Test User');

    const move = await someone.http.request('POST', '/api/auth/change-email', { newEmail: `${'m'.repeat(300)}@example.com` });
    expect(move.status).toBe(422);
    expect((await t.app.db.user.findUniqueOrThrow({ where: { id: someone.id } })).email).toBe(someone.email);
  });

  it('refuses a password over 128 characters in Better Auth\'s own words', async () => {
    const response = await new HttpClient(t.baseUrl).signUp(uniqueEmail('long-password'), 'p'.repeat(129));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/password too long/i);
  });

  it('answers over-long product names, ids and query values with clear 4xx', async () => {
    const product = await createAlert({ product: 'X'.repeat(10_000) });
    expect(product.status).toBe(422);
    const id = await user.http.request('GET', `/api/alerts/${'a'.repeat(5_000)}`);
    expect(id.status).toBe(404);
    expect((await errorOf(id)).code).toBe('not_found');
    const cases: Array<[string, RegExp]> = [
      ['/api/notifications?limit=99999999999', /limit must be a whole number from 1 to 200/i],
      ['/api/notifications?before=1e400', /before must be a notification id/i],
      ['/api/prices/BTC-USD?since=not-a-time', /since must be an ISO-8601 time/],
      ['/api/prices/BTC-USD?points=99999999', /points must be from 1 to 5000/],
    ];
    for (const [path, message] of cases) {
      const response = await user.http.request('GET', path);
      expect(response.status, path).toBe(422);
      expect((await errorOf(response)).message, path).toMatch(message);
    }
    await expectServing(t);
  });
});

describe('deeply nested JSON', () => {
  const shapes: Array<[string, string]> = [
    ['100k nested arrays', '['.repeat(LEVELS) + ']'.repeat(LEVELS)],
    ['100k nested objects', '{"a":'.repeat(LEVELS) + '1' + '}'.repeat(LEVELS)],
    ['a valid alert whose note is 100k nested arrays', `{"product":"${PRODUCT}","direction":"above","threshold":"1","note":${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}}`],
    ['unclosed nesting', '['.repeat(LEVELS)],
  ];
  const routes: Array<[string, string]> = [
    ['POST', '/api/alerts'],
    ['PATCH', '/api/alerts/some-id'],
    ['POST', '/api/notifications/read'],
    ['POST', '/api/auth/sign-in/email'],
    ['POST', '/api/auth/sign-up/email'],
  ];

  it.each(shapes)('%s: 400 on every route that reads a body, and the server keeps serving', async (_label, text) => {
    for (const [method, path] of routes) {
      const response = await rawJson(roomyUser.http, method, path, text);
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(await errorOf(response), `${method} ${path}`).toEqual({
        code: 'bad_request',
        message: 'The request body is nested too deeply (at most 32 levels).',
      });
    }
    await expectServing(roomy);
    expect((await roomyUser.http.request('GET', '/api/alerts')).status).toBe(200);
  });

  it('is 413 under the default body limit, before any parsing', async () => {
    const response = await rawJson(user.http, 'POST', '/api/alerts', '['.repeat(LEVELS) + ']'.repeat(LEVELS));
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('payload_too_large');
  });

  it('counts only structure: brackets inside strings are text, and 32 levels are allowed', async () => {
    const note = '[[[{{{"\\"]]]'.repeat(20);
    const created = await rawJson(user.http, 'POST', '/api/alerts', JSON.stringify({ ...ALERT, note }));
    expect(created.status).toBe(201);
    expect(((await created.json()) as { alert: Alert }).alert.note).toBe(note);

    const deepest = '['.repeat(31) + ']'.repeat(31);
    const allowed = await rawJson(user.http, 'POST', '/api/notifications/read', `{"ids":${deepest}}`);
    expect(allowed.status).toBe(422); // parsed (32 levels with the object), then refused by validation
    const tooDeep = await rawJson(user.http, 'POST', '/api/notifications/read', `{"ids":[${deepest}]}`);
    expect(tooDeep.status).toBe(400);
  });
});

describe('huge bodies', () => {
  const big = JSON.stringify({ ...ALERT, note: 'x'.repeat(40_000) });

  it.each([
    ['POST', '/api/alerts'],
    ['PATCH', '/api/alerts/some-id'],
    ['POST', '/api/notifications/read'],
    ['POST', '/api/auth/sign-up/email'],
    ['POST', '/api/auth/sign-out'],
  ])('%s %s over the limit is 413 in the error shape', async (method, path) => {
    const response = await rawJson(user.http, method, path, big);
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toEqual({
      code: 'payload_too_large',
      message: 'The request body is larger than the limit of 16384 bytes.',
    });
  });

  it('is 413 for a streamed body without Content-Length, and the client can go on using its connections', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(4_096));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Bounded: 64 chunks (256 KB) at most, far over the 16 KB limit.
        if (sent >= 64) controller.close();
        else controller.enqueue(chunk);
        sent += 1;
      },
    });
    const streamed = await fetch(`${t.baseUrl}/api/alerts`, {
      method: 'POST',
      headers: { origin: t.baseUrl, cookie: user.http.cookieHeader, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // The refused connection goes back to fetch's keep-alive pool: it must still work.
    for (let i = 0; i < 3; i += 1) await expectServing(t);
  });

  it('is 413 for 5 MB declared, and the server keeps serving', async () => {
    const declared = await rawJson(user.http, 'POST', '/api/alerts', new Uint8Array(5 * 1024 * 1024));
    expect(declared.status).toBe(413);
    for (let i = 0; i < 3; i += 1) await expectServing(t);
  });
});

describe('unicode in notes', () => {
  const notes: Array<[string, string]> = [
    ['emoji with ZWJ, skin tones and flags', '👩‍👩‍👧‍👦 👍🏽 🇺🇦🇯🇵 🏳️‍🌈'],
    ['right-to-left text', 'مرحبا بالعالم — שלום עולם'],
    ['bidi controls', 'price \u202Eevil\u202C and \u200Fmark\u200E'],
    ['combining marks', 'e\u0301 Z\u0324\u0344a\u0326\u0351l\u0333\u036Dg\u035D\u034Co\u031B\u0316'],
    ['the same letter composed and decomposed', '\u00E9 / e\u0301 (not normalised)'],
    ['CJK and astral symbols', '比特币价格 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓂀'],
    ['zero-width characters and a byte-order mark inside', 'a\u200Bb\u200Dc\uFEFFd'],
  ];

  it.each(notes)('%s: stored and returned intact', async (_label, note) => {
    const created = await createAlert({ note });
    expect(created.status).toBe(201);
    const { alert } = (await created.json()) as { alert: Alert };
    expect(alert.note).toBe(note);
    expect((await t.app.db.alert.findUniqueOrThrow({ where: { id: alert.id } })).note).toBe(note);
    const read = (await (await user.http.request('GET', `/api/alerts/${alert.id}`)).json()) as { alert: Alert };
    expect(read.alert.note).toBe(note);

    const changed = await user.http.request('PATCH', `/api/alerts/${alert.id}`, { note: `${note} ✓` });
    expect(((await changed.json()) as { alert: Alert }).alert.note).toBe(`${note} ✓`);
  });

  it('refuses text that cannot be stored intact: a lone surrogate (400), bytes that are not UTF-8 (400)', async () => {
    const before = await t.app.db.alert.count({ where: { userId: user.id } });
    const lone = await rawJson(user.http, 'POST', '/api/alerts', `{"product":"${PRODUCT}","direction":"above","threshold":"1","note":"a\\ud800b"}`);
    expect(lone.status).toBe(400);
    expect(await errorOf(lone)).toEqual({
      code: 'bad_request',
      message: 'The request body contains text that is not valid Unicode (a lone surrogate).',
    });

    const bytes = Buffer.concat([Buffer.from(`{"product":"${PRODUCT}","direction":"above","threshold":"1","note":"x`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const notUtf8 = await rawJson(user.http, 'POST', '/api/alerts', new Uint8Array(bytes));
    expect(notUtf8.status).toBe(400);
    expect(await errorOf(notUtf8)).toEqual({ code: 'invalid_json', message: 'The request body is not valid UTF-8 text.' });

    const lonely = await new HttpClient(t.baseUrl).request('POST', '/api/auth/sign-up/email', `{"email":"${uniqueEmail('lone')}","password":"correct horse battery","name":"\\udc00"}`, { 'content-type': 'application/json' });
    expect(lonely.status).toBe(400);
    expect(await t.app.db.alert.count({ where: { userId: user.id } })).toBe(before);
  });

  it('refuses control characters in a note with 422', async () => {
    const response = await createAlert({ note: 'bell\u0007 and nul\u0000' });
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toBe('The note cannot contain control characters.');
  });
});

describe('HTML and prototype keys are data', () => {
  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '"><svg onload=alert(1)>',
    '</script><script>alert(document.cookie)</script>',
    '{{constructor.constructor("alert(1)")()}}',
  ])('%s is returned verbatim as a JSON string, never as markup', async (note) => {
    const created = await createAlert({ note });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(created.headers.get('x-content-type-options')).toBe('nosniff');
    expect(created.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    const text = await created.text();
    expect((JSON.parse(text) as { alert: Alert }).alert.note).toBe(note);
    const list = (await (await user.http.request('GET', '/api/alerts')).json()) as { alerts: Alert[] };
    expect(list.alerts.map((a) => a.note)).toContain(note);
  });

  it('refuses __proto__ and constructor keys as unknown fields and pollutes nothing', async () => {
    for (const extra of ['"__proto__":{"polluted":true}', '"constructor":{"prototype":{"polluted":true}}']) {
      const response = await rawJson(user.http, 'POST', '/api/alerts', `{"product":"${PRODUCT}","direction":"above","threshold":"1",${extra}}`);
      expect(response.status, extra).toBe(422);
      expect((await errorOf(response)).message).toMatch(/^Unknown field "(__proto__|constructor)"\.$/);
    }
    // The server runs in this process: its Object.prototype is this one.
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
