import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Socket, io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, SubscribeAck } from '../../lib/realtime/events.ts';
import { HttpClient } from '../support/http-client.ts';
import { expiredSessionCookie, signedOutSessionCookie } from '../support/dead-session-cookies.ts';
import { type TestUser, signUpUser } from '../support/sign-up-user.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const PRODUCT = 'BTC-USD';
const COOKIE = 'better-auth.session_token';

let t: TestApp;
const opened: Socket[] = [];
const raw: WebSocket[] = [];

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_AUTH_ACCOUNT: '1000/1m' });
});
afterEach(() => {
  for (const socket of opened.splice(0)) socket.disconnect();
  for (const ws of raw.splice(0)) ws.terminate();
});
afterAll(async () => {
  await t.close();
});

/** An untyped client, so a test can emit what a hostile client would. */
function connect(cookie: string | null, options: { auth?: Record<string, string>; query?: Record<string, string> } = {}): Socket {
  const socket = io(t.baseUrl, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { origin: t.baseUrl, ...(cookie ? { cookie } : {}) },
    ...options,
  });
  opened.push(socket);
  return socket;
}

/** Resolves to 'connected' or the connect_error message. */
function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error) => resolve(error.message));
  });
}

async function connected(cookie: string): Promise<Socket> {
  const socket = connect(cookie);
  expect(await outcome(socket)).toBe('connected');
  return socket;
}

/** Every event a client receives, by name. */
function recordAll(socket: Socket): Array<[string, unknown]> {
  const seen: Array<[string, unknown]> = [];
  socket.onAny((event: string, ...args: unknown[]) => seen.push([event, args[0]]));
  return seen;
}

function subscribe(socket: Socket, payload: unknown): Promise<SubscribeAck> {
  return socket.timeout(5_000).emitWithAck('price:subscribe', payload) as Promise<SubscribeAck>;
}

/** The server's own rooms of a client socket. */
function roomsOf(socket: Socket): string[] {
  const server = t.app.realtime.io.sockets.sockets.get(socket.id ?? '');
  return server ? [...server.rooms].sort() : [];
}

async function socketsGauge(): Promise<number> {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  return Number(/^tickwatch_sockets_connected (\S+)$/m.exec(text)?.[1]);
}

function sign(token: string, secret: string): string {
  return `${COOKIE}=${encodeURIComponent(`${token}.${createHmac('sha256', secret).update(token).digest('base64')}`)}`;
}

async function tokenOf(user: TestUser): Promise<string> {
  return (await t.app.db.session.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: 'desc' } })).token;
}

describe('handshake authentication', () => {
  const refused: Array<[string, () => Promise<string | null>]> = [
    ['no cookie', () => Promise.resolve(null)],
    ['a made-up cookie', () => Promise.resolve(`${COOKIE}=forged.signature`)],
    [
      "a real session token with another secret's signature",
      async () => sign(await tokenOf(await signUpUser(t.baseUrl, 'other-secret')), 'not the server secret, but just as long as one'),
    ],
    ['a real session token without its signature', async () => `${COOKIE}=${await tokenOf(await signUpUser(t.baseUrl, 'unsigned'))}`],
    [
      'a real cookie with one signature character changed',
      async () => {
        const cookie = (await signUpUser(t.baseUrl, 'tampered')).http.cookieHeader;
        const at = cookie.length - 6;
        return cookie.slice(0, at) + (cookie[at] === 'A' ? 'B' : 'A') + cookie.slice(at + 1);
      },
    ],
    ['the cookie of a session expired in the database', () => expiredSessionCookie(t)],
    ['the cookie of a signed-out session', () => signedOutSessionCookie(t)],
    [
      'the cookie of a deleted account',
      async () => {
        const user = await signUpUser(t.baseUrl, 'deleted');
        const cookie = user.http.cookieHeader;
        expect((await user.http.request('POST', '/api/auth/delete-user', { password: 'correct horse battery' })).status).toBe(200);
        return cookie;
      },
    ],
  ];

  it.each(refused)('refuses %s with connect_error "unauthorized"', async (_label, makeCookie) => {
    const socket = connect(await makeCookie());
    expect(await outcome(socket)).toBe('unauthorized');
    expect(socket.connected).toBe(false);
  });

  it('accepts the same token signed with the server secret (so the refusals above are about the signature)', async () => {
    const user = await signUpUser(t.baseUrl, 'signed');
    const secret = fs.readFileSync(path.join(t.dataDir, 'auth-secret'), 'utf8').trim();
    const socket = connect(sign(await tokenOf(user), secret));
    expect(await outcome(socket)).toBe('connected');
    expect(roomsOf(socket)).toContain(`user:${user.id}`);
  });

  it('ignores a token or user id in the handshake auth payload or query: only the cookie counts', async () => {
    const victim = await signUpUser(t.baseUrl, 'victim');
    const token = await tokenOf(victim);
    const spoof = { token, userId: victim.id, sessionId: token };
    expect(await outcome(connect(null, { auth: spoof }))).toBe('unauthorized');
    expect(await outcome(connect(null, { query: spoof }))).toBe('unauthorized');

    const attacker = await signUpUser(t.baseUrl, 'attacker');
    const socket = connect(attacker.http.cookieHeader, { auth: spoof, query: spoof });
    expect(await outcome(socket)).toBe('connected');
    expect(roomsOf(socket)).toEqual([socket.id, `user:${attacker.id}`].sort());
  });
});

describe('sockets end with their session', () => {
  // Sign-out and account deletion: tests/integration/socket-auth.test.ts (Socket.IO authentication).
  it('"sign out everywhere" disconnects every socket of the user and no one else\'s', async () => {
    const user = await signUpUser(t.baseUrl, 'everywhere');
    const secondTab = await signUpUser(t.baseUrl, 'bystander');
    const otherDevice = new HttpClient(t.baseUrl);
    expect((await otherDevice.signIn(user.email)).status).toBe(200);
    const mine = [await connected(user.http.cookieHeader), await connected(otherDevice.cookieHeader)];
    const theirs = await connected(secondTab.http.cookieHeader);
    const gone = mine.map((socket) => new Promise((resolve) => socket.once('disconnect', resolve)));
    expect((await user.http.request('POST', '/api/auth/revoke-sessions', {})).status).toBe(200);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(theirs.connected).toBe(true);
  });
});

describe('a client cannot act as the server or join rooms', () => {
  it('emitting server events and room commands reaches no other client and changes no room', async () => {
    const attacker = await signUpUser(t.baseUrl, 'emitter');
    const victim = await signUpUser(t.baseUrl, 'listener');
    const a = await connected(attacker.http.cookieHeader);
    const b = await connected(victim.http.cookieHeader);
    expect(await subscribe(a, { products: [PRODUCT] })).toMatchObject({ ok: true });
    expect(await subscribe(b, { products: [PRODUCT] })).toMatchObject({ ok: true });
    const seenByVictim = recordAll(b);
    const victimRoom = `user:${victim.id}`;
    const tick = { product: PRODUCT, tradeId: 1, time: new Date().toISOString(), last: '1.00', mean: '1.00000000', vwap: '1.00000000', count: 1, warm: true };
    const hit = { notificationId: 1, alertId: 'x', tradeId: 1, value: '1.00000000', time: tick.time, replayed: false, alert: {} };

    const forged: Array<[string, ...unknown[]]> = [
      ['price:tick', tick],
      ['alert:hit', hit],
      ['alert:update', { id: 'x', status: 'triggered' }],
      ['feed:status', { product: PRODUCT, state: 'unavailable', since: tick.time }],
      ['join', victimRoom],
      ['join', [victimRoom, 'product:ETH-USD']],
      ['subscribe', victimRoom],
      ['leave', `user:${attacker.id}`],
      ['to', victimRoom, 'alert:hit', hit],
      ['emit', 'alert:hit', hit],
      ['broadcast', 'alert:hit', hit],
      ['connection', {}],
    ];
    for (const [event, ...args] of forged) a.emit(event, ...args);
    // Also with acks: the server never answers events it does not handle.
    const acked = await Promise.allSettled(forged.map(([event, ...args]) => a.timeout(300).emitWithAck(event, ...args)));
    expect(acked.every((r) => r.status === 'rejected')).toBe(true);

    expect(seenByVictim).toEqual([]);
    expect(roomsOf(a)).toEqual([a.id, `user:${attacker.id}`, `product:${PRODUCT}`].sort());
    expect(roomsOf(b)).toEqual([b.id, victimRoom, `product:${PRODUCT}`].sort());
    expect(t.app.realtime.io.sockets.adapter.rooms.get(victimRoom)?.size).toBe(1);

    // What the server sends to the victim's room still reaches only the victim.
    const seenByAttacker = recordAll(a);
    t.app.realtime.publishAlert(victim.id, { id: 'a-1', status: 'triggered' } as Alert);
    await waitFor(() => seenByVictim.length === 1, 5_000, 'alert:update at the victim');
    expect(seenByVictim[0]?.[0]).toBe('alert:update');
    expect(seenByAttacker).toEqual([]);
    expect(a.connected && b.connected).toBe(true);
  });

  it('naming a user room as a product is refused, and joins nothing', async () => {
    const victim = await signUpUser(t.baseUrl, 'room-victim');
    const attacker = await signUpUser(t.baseUrl, 'room-attacker');
    const a = await connected(attacker.http.cookieHeader);
    // A user room name is longer than any product id; a short room-like name is simply unknown.
    expect(await subscribe(a, { products: [`user:${victim.id}`] })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await subscribe(a, { products: ['user:x', '../BTC-USD'] })).toMatchObject({ ok: false, error: { code: 'unknown_product' } });
    expect(roomsOf(a)).toEqual([a.id, `user:${attacker.id}`].sort());
  });

  it('raw packets with reserved event names or other namespaces close only that connection, and counts stay right', async () => {
    const user = await signUpUser(t.baseUrl, 'raw');
    const bystander = await connected((await signUpUser(t.baseUrl, 'raw-bystander')).http.cookieHeader);
    const packets = [
      '42["disconnect"]',
      '42["connect"]',
      '42["disconnecting","x"]',
      '42["newListener","price:tick"]',
      '42["removeListener","disconnect"]',
      '40/admin,',
      '42[',
      '42{"not":"an array"}',
      '451-["price:subscribe",{"_placeholder":true,"num":0}]',
      '43999[true]', // an ack for a message the server never sent
      '4',
    ];
    for (const packet of packets) {
      const ws = new WebSocket(`${t.baseUrl.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, {
        headers: { origin: t.baseUrl, cookie: user.http.cookieHeader },
      });
      raw.push(ws);
      const frames: string[] = [];
      ws.on('message', (data: Buffer) => frames.push(data.toString()));
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      await waitFor(() => frames.some((f) => f.startsWith('0{')), 5_000, 'engine.io open');
      ws.send('40');
      await waitFor(() => frames.some((f) => f.startsWith('40{')), 5_000, 'namespace connect');
      ws.send(packet);
      // Either the server closes this connection, or it ignores the packet and stays up.
      const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 500))]);
      if (outcome === 'open') ws.terminate();
      await waitFor(async () => (await socketsGauge()) === t.app.realtime.io.sockets.sockets.size || undefined, 5_000, `socket gauge after ${packet}`);
    }
    expect(await socketsGauge()).toBe(1);
    expect(bystander.connected).toBe(true);
    expect(await subscribe(bystander, { products: [PRODUCT] })).toMatchObject({ ok: true });
  });
});

describe('client payloads are validated', () => {
  const garbage: Array<[string, unknown]> = [
    ['no payload', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', 'BTC-USD'],
    ['an array', ['BTC-USD']],
    ['products as a string', { products: 'BTC-USD' }],
    ['products with numbers', { products: [1, 2] }],
    ['products with objects', { products: [{ $gt: '' }] }],
    ['products nested', { products: [['BTC-USD']] }],
    ['an empty product id', { products: [''] }],
    ['a 10 000-character product id', { products: ['X'.repeat(10_000)] }],
    ['51 products', { products: Array.from({ length: 51 }, () => PRODUCT) }],
    ['deep nesting', { products: JSON.parse('['.repeat(1_000) + ']'.repeat(1_000)) as unknown }],
  ];

  it.each(garbage)('price:subscribe with %s gets ok:false validation_failed and a clear message', async (_label, payload) => {
    const socket = await connected((await signUpUser(t.baseUrl, 'garbage')).http.cookieHeader);
    const ack = await subscribe(socket, payload);
    expect(ack).toEqual({ ok: false, error: { code: 'validation_failed', message: 'Expected {"products": ["BTC-USD", ...]}.' } });
    expect(roomsOf(socket).some((room) => room.startsWith('product:'))).toBe(false);
    expect(await subscribe(socket, { products: [PRODUCT] })).toEqual({ ok: true, snapshots: { [PRODUCT]: null } });
  });

  it('survives price:subscribe without an ack or with a non-function ack, and keeps serving', async () => {
    const socket = await connected((await signUpUser(t.baseUrl, 'no-ack')).http.cookieHeader);
    socket.emit('price:subscribe');
    socket.emit('price:subscribe', { products: [PRODUCT] });
    socket.emit('price:subscribe', null, 'not a function', 42);
    socket.emit('price:subscribe', { products: ['DOGE-EUR'] });
    expect(await subscribe(socket, { products: [PRODUCT] })).toMatchObject({ ok: true });
    expect(socket.connected).toBe(true);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it('a message over the 16 KB limit closes only the sender', async () => {
    const sender = await connected((await signUpUser(t.baseUrl, 'big-sender')).http.cookieHeader);
    const other = await connected((await signUpUser(t.baseUrl, 'big-other')).http.cookieHeader);
    const gone = new Promise((resolve) => sender.once('disconnect', resolve));
    sender.emit('price:subscribe', { products: ['x'.repeat(20_000)] });
    expect(await gone).toBe('transport close');
    expect(other.connected).toBe(true);
    expect(await subscribe(other, { products: [PRODUCT] })).toMatchObject({ ok: true });
  });
});
