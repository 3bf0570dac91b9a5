import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Socket, io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

/** Collects every log line the app writes. */
function captureLines(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line) };
}

let t: TestApp;
const log = captureLines();

beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'trace', RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_AUTH_ACCOUNT: '1000/1m' }, { logDestination: log });
});
afterAll(async () => {
  await t.close();
});

function connectSocket(cookie: string): Promise<Socket> {
  const socket = io(t.baseUrl, { transports: ['websocket'], reconnection: false, extraHeaders: { origin: t.baseUrl, cookie } });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

/** Every form a cookie value takes on the wire: as sent, URL-decoded, and its token and signature apart. */
function cookieForms(setCookie: string[]): string[] {
  return setCookie.flatMap((line) => {
    const value = (line.split(';')[0] ?? '').split('=').slice(1).join('=');
    if (value === '') return [];
    const decoded = decodeURIComponent(value);
    const [token = '', signature = ''] = decoded.split('.');
    return [value, decoded, token, signature].filter((s) => s.length >= 16);
  });
}

describe('logs at trace level', () => {
  it('never contain a password, a session token, a cookie value or the auth secret through a whole session life', async () => {
    const secrets = new Set<string>();
    const keep = (...values: string[]) => values.forEach((v) => secrets.add(v));
    const remember = (response: Response) => keep(...cookieForms(response.headers.getSetCookie()));
    const rememberSessions = async () => keep(...(await t.app.db.session.findMany()).map((s) => s.token));

    const password = `first-${randomUUID()}`;
    const wrong = `wrong-${randomUUID()}`;
    const changed = `second-${randomUUID()}`;
    const forgedToken = `forged${randomUUID().replaceAll('-', '')}`;
    keep(password, wrong, changed, forgedToken);

    const email = uniqueEmail('logs');
    const browser = new HttpClient(t.baseUrl);
    remember(await browser.signUp(email, password));
    const phone = new HttpClient(t.baseUrl);
    remember(await phone.signIn(email, password));
    expect((await new HttpClient(t.baseUrl).signIn(email, wrong)).status).toBe(401);
    await rememberSessions();
    keep((await t.app.db.account.findFirstOrThrow({ where: { user: { email } } })).password ?? '');

    // Use the cookie everywhere it is accepted, and where it is refused.
    expect((await browser.request('GET', '/api/auth/get-session')).status).toBe(200);
    expect((await browser.request('POST', '/api/alerts', { product: 'BTC-USD', direction: 'above', threshold: '999999' })).status).toBe(201);
    expect((await browser.request('GET', '/api/alerts')).status).toBe(200);
    expect((await browser.request('POST', '/api/alerts', { product: 'BTC-USD' }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await fetch(`${t.baseUrl}/api/alerts`, { headers: { cookie: `better-auth.session_token=${forgedToken}.sig` } })).status).toBe(401);
    const phoneSocket = await connectSocket(phone.cookieHeader);
    const browserSocket = await connectSocket(browser.cookieHeader);
    await expect(connectSocket(`better-auth.session_token=${forgedToken}.sig`)).rejects.toThrow('unauthorized');

    // Change the password (ending the phone's session and socket), then sign in again, out, and delete.
    const phoneGone = new Promise((resolve) => phoneSocket.once('disconnect', resolve));
    remember(await browser.request('POST', '/api/auth/change-password', { currentPassword: password, newPassword: changed, revokeOtherSessions: true }));
    await phoneGone;
    await rememberSessions();
    const again = new HttpClient(t.baseUrl);
    remember(await again.signIn(email, changed));
    await rememberSessions();
    keep((await t.app.db.account.findFirstOrThrow({ where: { user: { email } } })).password ?? '');
    remember(await browser.request('POST', '/api/auth/sign-out', {}));
    browserSocket.disconnect();
    remember(await again.request('POST', '/api/auth/delete-user', { password: changed }));
    keep(fs.readFileSync(path.join(t.dataDir, 'auth-secret'), 'utf8').trim());

    // The capture saw the auth and realtime code paths, at debug level and below too.
    const output = await waitFor(() => {
      const text = log.lines.join('');
      return text.includes('session ended: disconnecting socket') && text;
    }, 5_000, 'the socket disconnection log line');
    expect(output).toContain('"module":"auth"');
    expect(output).toContain('Invalid password');
    expect(log.lines.some((line) => (JSON.parse(line) as { level: number }).level <= 20)).toBe(true);

    expect(secrets.size).toBeGreaterThanOrEqual(12);
    const leaked = [...secrets].filter((secret) => output.includes(secret) || output.includes(secret.slice(0, 16)));
    expect(leaked).toEqual([]);
  });
});

describe('the logger', () => {
  it('redacts credentials and cookies wherever a module puts them in a log object', () => {
    const sink = captureLines();
    const logger = createLogger('trace', sink);
    logger.info({ password: 'p1-secret', newPassword: 'p2-secret', currentPassword: 'p3-secret', token: 't1-secret' }, 'top level');
    logger.info({ body: { password: 'p4-secret', token: 't2-secret' } }, 'nested body');
    logger.info({ headers: { cookie: 'c1-secret', authorization: 'a1-secret', 'set-cookie': ['c2-secret'] } }, 'headers');
    logger.info({ req: { headers: { cookie: 'c3-secret', authorization: 'a2-secret' } } }, 'request headers');
    const output = sink.lines.join('');
    expect(sink.lines).toHaveLength(4);
    expect(output.match(/-secret/g)).toBeNull();
    expect(output).toContain('[redacted]');
  });
});
