import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readMetric } from '../support/metrics.ts';
import { connectRaw } from '../support/raw-socket.ts';
import { signUpUser } from '../support/sign-up-user.ts';
import { type RecordingSocket, connectRecording } from '../support/socket-client.ts';
import { type TestApp, startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A budget per connection on everything a client sends (RATE_LIMIT_SOCKET_EVENTS): a flood of
 * any event, of acknowledgements nobody asked for, or of CONNECTs before joining ends that
 * connection, counted and logged at warn; everyone else goes on. Acknowledgements the server
 * asked for (a replay's pages) never count.
 */
const PER_SECOND = 20;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_SOCKET_EVENTS: `${PER_SECOND}/1s` });
});
afterAll(async () => {
  await t?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const floods = (): Promise<number> => readMetric(t.baseUrl, 'tickwatch_socket_floods_total');

function disconnected(s: RecordingSocket): Promise<string> {
  return new Promise((resolve) => s.socket.once('disconnect', (reason) => resolve(reason)));
}

describe('message floods', () => {
  it('a socket flooding price:subscribe is disconnected by the server; its other tab and other users go on', async () => {
    const user = await signUpUser(t.baseUrl, 'flooder');
    const bystander = await signUpUser(t.baseUrl, 'bystander');
    const flooder = await connectRecording(t.baseUrl, user.http.cookieHeader);
    const sameUser = await connectRecording(t.baseUrl, user.http.cookieHeader);
    const other = await connectRecording(t.baseUrl, bystander.http.cookieHeader);
    const before = await floods();
    const reason = disconnected(flooder);
    let answered = 0;
    for (let i = 0; i < 2_000; i += 1) flooder.socket.emit('price:subscribe', { products: ['BTC-USD'] }, () => (answered += 1));
    expect(await reason).toBe('io server disconnect');
    expect(answered).toBeLessThan(2 * PER_SECOND);
    expect(await floods()).toBe(before + 1);
    expect(t.app.realtime.io.sockets.sockets.has(flooder.socket.id ?? '')).toBe(false);
    expect(await sameUser.subscribe(['BTC-USD'])).toMatchObject({ ok: true });
    expect(await other.subscribe(['BTC-USD'])).toMatchObject({ ok: true });
    sameUser.socket.disconnect();
    other.socket.disconnect();
  });

  it('counts every event whatever its name', async () => {
    const user = await signUpUser(t.baseUrl, 'names');
    const client = await connectRecording(t.baseUrl, user.http.cookieHeader);
    const before = await floods();
    const reason = disconnected(client);
    const raw = client.socket as unknown as { emit(event: string, ...args: unknown[]): void };
    for (let i = 0; i < 1_000; i += 1) raw.emit(`made-up:${i % 7}`, { i });
    expect(await reason).toBe('io server disconnect');
    expect(await floods()).toBe(before + 1);
  });

  it('counts acknowledgements nobody asked for', async () => {
    const user = await signUpUser(t.baseUrl, 'acks');
    const raw = await connectRaw(t.baseUrl, user.http.cookieHeader);
    const before = await floods();
    for (let i = 0; i < 1_000; i += 1) raw.ws.send(`43${1_000_000 + i}[]`);
    await raw.closed;
    expect(await floods()).toBe(before + 1);
  });

  it('counts messages before joining: a CONNECT flood without a session is closed', async () => {
    const before = await floods();
    const ws = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: t.baseUrl } });
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data: Buffer) => {
      if (data.toString().startsWith('0{')) for (let i = 0; i < 1_000; i += 1) ws.send('40');
    });
    await closed;
    expect(await floods()).toBe(before + 1);
  });
});

describe('ordinary use stays within the budget', () => {
  it('a burst under the budget, then a steady pace under it, stays connected', async () => {
    const user = await signUpUser(t.baseUrl, 'steady');
    const client = await connectRecording(t.baseUrl, user.http.cookieHeader);
    const before = await floods();
    await Promise.all(Array.from({ length: PER_SECOND - 5 }, () => client.subscribe(['BTC-USD'])));
    for (let i = 0; i < 20; i += 1) {
      expect(await client.subscribe(['BTC-USD'])).toMatchObject({ ok: true });
      await sleep(1_000 / (PER_SECOND / 2));
    }
    expect(client.socket.connected).toBe(true);
    expect(await floods()).toBe(before);
    client.socket.disconnect();
  });

  it('acknowledging a replay of 250 hits (pages and a notice, far over the budget) does not count', async () => {
    const user = await signUpUser(t.baseUrl, 'replayed');
    const alert = await user.http.createAlert({ product: 'BTC-USD', basis: 'last', direction: 'above', threshold: '900000.00' });
    const row = { alertId: alert.id, userId: user.id, product: 'BTC-USD', basis: 'last', direction: 'above', threshold: '900000.00', value: '900001.00000000', tradeTime: '2026-01-01T00:00:00Z', windowCount: 1 };
    await t.app.db.notification.createMany({ data: Array.from({ length: 250 }, (_, i) => ({ ...row, arming: i + 1, tradeId: BigInt(i + 1) })) });
    const before = await floods();
    const client = await connectRecording(t.baseUrl, user.http.cookieHeader);
    await waitFor(() => client.backlogs.length === 1, 10_000, 'the replay and its notice');
    expect(client.hits).toHaveLength(200);
    await sleep(300);
    expect(client.socket.connected).toBe(true);
    expect(await floods()).toBe(before);
    client.socket.disconnect();
  });
});

describe('behind a trusted proxy (TRUSTED_PROXIES)', () => {
  let behind: TestApp;
  beforeAll(async () => {
    // The test's own connections come from 127.0.0.1: here that is the proxy.
    behind = await startTestApp({ RATE_LIMIT_AUTH_IP: '1000/1m', RATE_LIMIT_SOCKET_EVENTS: `${PER_SECOND}/1s`, TRUSTED_PROXIES: '127.0.0.1/32' });
  });
  afterAll(async () => {
    await behind?.close();
  });

  it("the flood's log line names the forwarded client, not the proxy", async () => {
    const user = await signUpUser(behind.baseUrl, 'proxied-flood');
    const raw = await connectRaw(behind.baseUrl, user.http.cookieHeader, { 'x-forwarded-for': '198.51.100.7' });
    for (let i = 0; i < 1_000; i += 1) raw.emit('price:subscribe', { products: ['BTC-USD'] });
    await raw.closed;
    const line = await waitFor(() => behind.logs.find((entry) => entry.msg === 'disconnecting a client that sends faster than its budget'), 5_000, 'the flood logged');
    expect(line).toMatchObject({ ip: '198.51.100.7', user: user.id });
  });
});
