import { type Socket, io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../lib/realtime/events.ts';
import { HttpClient, uniqueEmail } from '../support/http-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let t: TestApp;
const opened: ClientSocket[] = [];

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m' });
});
afterEach(() => {
  for (const socket of opened.splice(0)) socket.disconnect();
});
afterAll(async () => {
  await t.close();
});

function connect(cookie: string | null, origin = t.baseUrl): ClientSocket {
  const socket: ClientSocket = io(t.baseUrl, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { origin, ...(cookie ? { cookie } : {}) },
  });
  opened.push(socket);
  return socket;
}

/** Resolves to 'connected' or the connect_error message. */
function outcome(socket: ClientSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error) => resolve(error.message));
  });
}

function disconnected(socket: ClientSocket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

async function signedUpClient(): Promise<HttpClient> {
  const client = new HttpClient(t.baseUrl);
  expect((await client.signUp(uniqueEmail('socket'))).status).toBe(200);
  return client;
}

describe('Socket.IO authentication', () => {
  it('refuses a handshake without a session cookie', async () => {
    expect(await outcome(connect(null))).toBe('unauthorized');
  });

  it('refuses a forged session cookie', async () => {
    expect(await outcome(connect('better-auth.session_token=forged.signature'))).toBe('unauthorized');
  });

  it('refuses a handshake from another origin even with a valid cookie', async () => {
    const client = await signedUpClient();
    expect(await outcome(connect(client.cookieHeader, 'http://evil.example'))).not.toBe('connected');
  });

  it('accepts the session cookie and puts the socket in its user room', async () => {
    const client = await signedUpClient();
    const socket = connect(client.cookieHeader);
    expect(await outcome(socket)).toBe('connected');
    const session = (await (await client.request('GET', '/api/auth/get-session')).json()) as { user: { id: string } };
    const rooms = t.app.realtime.io.sockets.adapter.rooms.get(`user:${session.user.id}`);
    expect(rooms?.size).toBe(1);
  });

  it('disconnects the sockets of a session that signs out, and only those', async () => {
    const client = await signedUpClient();
    const other = await signedUpClient();
    const mine = connect(client.cookieHeader);
    const theirs = connect(other.cookieHeader);
    expect(await outcome(mine)).toBe('connected');
    expect(await outcome(theirs)).toBe('connected');
    const gone = disconnected(mine);
    expect((await client.request('POST', '/api/auth/sign-out', {})).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect(theirs.connected).toBe(true);
  });

  it('disconnects every socket of a deleted account', async () => {
    const email = uniqueEmail('deleted');
    const client = new HttpClient(t.baseUrl);
    await client.signUp(email);
    const socket = connect(client.cookieHeader);
    expect(await outcome(socket)).toBe('connected');
    const gone = disconnected(socket);
    const response = await client.request('POST', '/api/auth/delete-user', { password: 'correct horse battery' });
    expect(response.status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect(await t.app.db.user.count({ where: { email } })).toBe(0);
  });
});

describe('price:subscribe', () => {
  it('validates its payload and refuses unknown products', async () => {
    const client = await signedUpClient();
    const socket = connect(client.cookieHeader);
    expect(await outcome(socket)).toBe('connected');
    const ack = (payload: unknown) =>
      new Promise<SubscribeAck>((resolve) => socket.emit('price:subscribe', payload as { products: string[] }, resolve));

    const bad = await ack({ products: 'BTC-USD' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const unknown = await ack({ products: ['DOGE-EUR'] });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_product' } });
    const good = await ack({ products: ['BTC-USD'] });
    expect(good).toEqual({ ok: true, snapshots: { 'BTC-USD': null } });
    expect(t.app.realtime.io.sockets.adapter.rooms.get('product:BTC-USD')?.size).toBe(1);
    expect(await ack({ products: [] })).toEqual({ ok: true, snapshots: {} });
    expect(t.app.realtime.io.sockets.adapter.rooms.get('product:BTC-USD')).toBeUndefined();
  });
});
