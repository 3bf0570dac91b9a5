import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { readMetric } from '../support/metrics.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import type { ClientSocket } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Caps on what one account and one client address can hold open over Socket.IO: authenticated
 * sockets per account and per address (a clear `connect_error`), engine.io connections without
 * an authenticated socket per address (WebSocket and polling handshakes), and a short connect
 * timeout for connections that never join. Every count is released when its connection ends.
 */
const PER_ACCOUNT = 5;
const PER_IP = 8;
const ANONYMOUS = 4;
const CONNECT_TIMEOUT_MS = 1_000;

let t: TestApp;
const open: Array<{ close(): void }> = [];

beforeAll(async () => {
  t = await startTestApp({
    RATE_LIMIT_AUTH_IP: '1000/1m',
    SOCKET_LIMIT_ACCOUNT: String(PER_ACCOUNT),
    SOCKET_LIMIT_IP: String(PER_IP),
    SOCKET_LIMIT_IP_ANONYMOUS: String(ANONYMOUS),
    SOCKET_CONNECT_TIMEOUT: `${CONNECT_TIMEOUT_MS / 1000}s`,
  });
});
afterAll(async () => {
  await t?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const metric = (limit: string): Promise<number> => readMetric(t.baseUrl, `tickwatch_sockets_refused_total{limit="${limit}"}`);

type Attempt = { socket: ClientSocket; error?: undefined } | { socket?: undefined; error: Error & { data?: { code?: string } } };

/** One browser-like connection attempt: the connected socket, or the `connect_error` it got. */
async function attempt(cookie: string): Promise<Attempt> {
  const socket: ClientSocket = io(t.baseUrl, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: t.baseUrl, cookie } });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      open.push({ close: () => socket.disconnect() });
      resolve({ socket });
    });
    socket.once('connect_error', (error) => {
      socket.close();
      resolve({ error });
    });
  });
}

async function connected(cookie: string): Promise<ClientSocket> {
  const result = await attempt(cookie);
  if (!result.socket) throw new Error(`refused: ${result.error.message}`);
  return result.socket;
}

/** Closes everything the test opened and waits until the server has released every count. */
async function closeAll(): Promise<void> {
  for (const c of open.splice(0)) c.close();
  await waitFor(() => {
    const counts = t.app.realtime.connectionCounts();
    return counts.addresses === 0 && counts.accounts === 0;
  }, 5_000, 'every count released');
}

/** A WebSocket to engine.io that never sends a thing: resolves open, or refused with the server's answer. */
function anonymousWebSocket(): Promise<{ ws: WebSocket; closed: Promise<void> } | { refused: { status: number; body: string } }> {
  const ws = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: t.baseUrl } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      const closed = new Promise<void>((done) => ws.once('close', () => done()));
      open.push({ close: () => ws.terminate() });
      resolve({ ws, closed });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ refused: { status: res.statusCode ?? 0, body } }));
    });
    ws.once('error', (error) => reject(error));
  });
}

async function pollingHandshake(): Promise<{ status: number; body: string }> {
  const response = await fetch(`${t.baseUrl}/socket.io/?EIO=4&transport=polling`, { headers: { origin: t.baseUrl } });
  return { status: response.status, body: await response.text() };
}

describe('sockets per account', () => {
  it(`admits ${PER_ACCOUNT}, refuses the next with a clear connect_error, admits again once some close`, async () => {
    const user = await signUpUser(t.baseUrl, 'tabs');
    const other = await signUpUser(t.baseUrl, 'other');
    const before = await metric('account');
    const tabs = [];
    for (let i = 0; i < PER_ACCOUNT; i += 1) tabs.push(await connected(user.http.cookieHeader));
    const refused = await attempt(user.http.cookieHeader);
    expect(refused.error?.message).toBe(`Too many connections for this account: at most ${PER_ACCOUNT} at once. Close some tabs and try again.`);
    expect(refused.error?.data?.code).toBe('connection_limit');
    expect(await metric('account')).toBe(before + 1);
    // Another account is not affected.
    await connected(other.http.cookieHeader);
    // Closing two frees two places, and no more.
    tabs[0]!.disconnect();
    tabs[1]!.disconnect();
    await waitFor(async () => (await attempt(user.http.cookieHeader)).socket !== undefined, 5_000, 'a place after closing');
    await connected(user.http.cookieHeader);
    expect((await attempt(user.http.cookieHeader)).error?.data?.code).toBe('connection_limit');
    await closeAll();
  });
});

describe('sockets per address', () => {
  it(`admits ${PER_IP} authenticated sockets from one address across accounts, refuses the next, admits again once some close`, async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < 3; i += 1) users.push(await signUpUser(t.baseUrl, 'address'));
    const sockets = [];
    for (let i = 0; i < PER_IP; i += 1) sockets.push(await connected(users[i % 3]!.http.cookieHeader));
    const fresh = await signUpUser(t.baseUrl, 'fresh');
    const refused = await attempt(fresh.http.cookieHeader);
    expect(refused.error?.message).toBe(`Too many connections from this address: at most ${PER_IP} at once.`);
    expect(refused.error?.data?.code).toBe('connection_limit');
    sockets[0]!.disconnect();
    await waitFor(async () => (await attempt(fresh.http.cookieHeader)).socket !== undefined, 5_000, 'a place after closing');
    await closeAll();
  });

  it('one connection carries one socket: CONNECT sent twenty times while authentication is pending makes one socket', async () => {
    const user = await signUpUser(t.baseUrl, 'multi');
    const before = await metric('duplicate');
    // Spoken by hand: every CONNECT goes out at once, before the first is authenticated.
    const ws = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: t.baseUrl, cookie: user.http.cookieHeader } });
    open.push({ close: () => ws.terminate() });
    const frames: string[] = [];
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      frames.push(text);
      if (text.startsWith('0{')) for (let i = 0; i < 20; i += 1) ws.send('40');
    });
    await waitFor(() => frames.some((f) => f.startsWith('40{')), 5_000, 'one socket connected');
    await waitFor(async () => (await metric('duplicate')) >= before + 19, 5_000, 'the extra CONNECTs refused');
    expect(frames.filter((f) => f.startsWith('44')).every((f) => f.includes('connection_limit'))).toBe(true);
    const mine = [...t.app.realtime.io.sockets.sockets.values()].filter((s) => s.data.userId === user.id);
    expect(mine).toHaveLength(1);
    await closeAll();
  });
});

describe('connections without a session, per address', () => {
  it(`admits ${ANONYMOUS} of 100 cookie-less WebSockets opened at once, refuses the rest with a sentence, and closes the admitted ones after the connect timeout`, async () => {
    const before = await metric('anonymous_ip');
    const results = await Promise.all(Array.from({ length: 100 }, () => anonymousWebSocket()));
    const admitted = results.flatMap((r) => ('ws' in r ? [r] : []));
    const refused = results.flatMap((r) => ('refused' in r ? [r.refused] : []));
    expect(admitted).toHaveLength(ANONYMOUS);
    expect(refused[0]?.status).toBe(400);
    expect(refused[0]?.body).toMatch(/Too many unauthenticated realtime connections from this address \(at most 4\)/);
    expect(await metric('anonymous_ip')).toBe(before + 100 - ANONYMOUS);
    // Never joining, they are closed by the server once the connect timeout passes.
    const started = Date.now();
    await Promise.all(admitted.map((r) => r.closed));
    expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS + 2_000);
    expect('ws' in (await anonymousWebSocket())).toBe(true);
    await closeAll();
  });

  it('refuses polling handshakes past the cap with 403 and a sentence, and admits again once they time out', async () => {
    const answers = [];
    for (let i = 0; i < 50; i += 1) answers.push(await pollingHandshake());
    expect(answers.filter((a) => a.status === 200)).toHaveLength(ANONYMOUS);
    const refused = answers.find((a) => a.status === 403);
    expect(JSON.parse(refused!.body)).toEqual({ code: 4, message: `Too many unauthenticated realtime connections from this address (at most ${ANONYMOUS}); try again in a few seconds.` });
    await sleep(CONNECT_TIMEOUT_MS + 500);
    await waitFor(() => t.app.realtime.connectionCounts().addresses === 0, 5_000, 'the polling sessions closed');
    expect((await pollingHandshake()).status).toBe(200);
    await sleep(CONNECT_TIMEOUT_MS + 500);
    await closeAll();
  });

  it('a signed-in user still connects once the anonymous connections of the address are gone', async () => {
    const user = await signUpUser(t.baseUrl, 'after');
    const anonymous = await Promise.all(Array.from({ length: ANONYMOUS }, () => anonymousWebSocket()));
    expect((await attempt(user.http.cookieHeader)).error).toBeDefined();
    for (const a of anonymous) if ('ws' in a) a.ws.terminate();
    await waitFor(async () => (await attempt(user.http.cookieHeader)).socket !== undefined, 5_000, 'connected');
    await closeAll();
  });
});
