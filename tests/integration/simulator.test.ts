import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Simulator, type SimulatorOptions, createSimulator } from '../../server/feed/simulator/create-simulator.ts';
import { type Frame, connectFeed, control, getJson } from '../support/feed-test-client.ts';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await createSimulator({ seed: 1, firstTradeId: 1, history: 50, heartbeatIntervalMs: 100, ...options });
  open.push(sim);
  return sim;
}

const connect = (url: string) => connectFeed(url, open);
const type = (t: string) => (f: Frame) => f.type === t;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('simulator WebSocket feed', () => {
  it('acks a subscribe, sends one last_match (the latest trade), then a match per trade and heartbeats', async () => {
    const sim = await start();
    const c = await connect(sim.url);
    c.subscribe(['BTC-USD']);
    expect(await c.next(type('subscriptions'))).toEqual({
      type: 'subscriptions',
      channels: [
        { name: 'matches', product_ids: ['BTC-USD'], account_ids: null },
        { name: 'heartbeat', product_ids: ['BTC-USD'], account_ids: null },
      ],
    });
    const last = await c.next(() => true);
    const latest = sim.latest('BTC-USD');
    const { sequence, makerOrderId, takerOrderId, time, size, price, side } = latest ?? {};
    expect(last).toEqual({
      type: 'last_match', trade_id: 50, sequence, maker_order_id: makerOrderId, taker_order_id: takerOrderId,
      time, product_id: 'BTC-USD', size, price, side,
    });
    expect(Object.keys(last)).toEqual(['type', 'trade_id', 'sequence', 'maker_order_id', 'taker_order_id', 'time', 'product_id', 'size', 'price', 'side']);
    expect(last.time).toMatch(TIME);
    expect(last.maker_order_id).toMatch(UUID);
    const published = sim.trade('BTC-USD', { price: '67143.18', size: '0.00100000', side: 'sell' });
    const match = await c.next(type('match'));
    expect(match).toMatchObject({ type: 'match', trade_id: 51, product_id: 'BTC-USD', price: '67143.18', size: '0.00100000', side: 'sell' });
    expect(match.sequence).toBe(published.sequence);
    expect(published.sequence).toBeGreaterThan(latest?.sequence ?? Infinity);
    const beat = await c.next(type('heartbeat'));
    expect(Object.keys(beat).sort()).toEqual(['last_trade_id', 'product_id', 'sequence', 'time', 'type']);
    expect(beat).toMatchObject({ last_trade_id: 51, product_id: 'BTC-USD' });
    expect(beat.sequence).toBeGreaterThan(published.sequence);
    expect(beat.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(c.frames.filter(type('last_match'))).toHaveLength(1);
    expect(sim.clients()).toBe(1);
  });

  it('with no history: no last_match, heartbeats say last_trade_id 0, and the first trade has id 1', async () => {
    const sim = await start({ history: 0, firstTradeId: 1 });
    expect(sim.latest('BTC-USD')).toBeUndefined();
    expect(sim.state().products['BTC-USD']).toEqual({ latest: null, nextTradeId: 1, stored: 0 });
    const c = await connect(sim.url);
    c.subscribe(['BTC-USD'], ['matches', 'heartbeat', 'ticker']);
    await c.next(type('subscriptions'));
    const before = await c.next(type('heartbeat'));
    expect(before).toMatchObject({ type: 'heartbeat', last_trade_id: 0, product_id: 'BTC-USD' });
    expect(c.frames.filter((f) => f.type === 'last_match' || f.type === 'ticker' || f.type === 'match')).toEqual([]);
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades`)).body).toEqual([]);
    const first = sim.trade('BTC-USD', { price: '67000.01' });
    expect(first.tradeId).toBe(1);
    expect(await c.next(type('match'))).toMatchObject({ trade_id: 1, price: '67000.01' });
    expect(await c.next(type('heartbeat'))).toMatchObject({ last_trade_id: 1 });
    expect(c.frames.filter(type('last_match'))).toEqual([]);
    expect(((await getJson(`${sim.restUrl}/products/BTC-USD/trades`)).body as Frame[]).map((t) => t.trade_id)).toEqual([1]);
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades?after=1`)).body).toEqual([]);
    // A socket that subscribes now gets the first trade as its last_match.
    const late = await connect(sim.url);
    late.subscribe(['BTC-USD'], ['matches']);
    expect(await late.next(type('last_match'))).toMatchObject({ trade_id: 1 });
  });

  it('with no history and the default first id, REST has nothing below the first trade', async () => {
    const now = 1_790_000_000_000;
    const sim = await start({ history: 0, firstTradeId: undefined, now: () => now });
    expect(sim.state().products['BTC-USD']?.nextTradeId).toBe(now);
    expect(sim.trade('BTC-USD').tradeId).toBe(now);
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades?after=${now}`)).body).toEqual([]);
    expect(sim.restLog().map((r) => [r.after, r.status, r.trades])).toEqual([[String(now), 200, 0]]);
  });

  it('refuses a first trade id below 1 and a negative history', async () => {
    await expect(createSimulator({ firstTradeId: 0 })).rejects.toThrow(/firstTradeId must be a whole number >= 1/);
    await expect(createSimulator({ history: -1 })).rejects.toThrow(/history must be a whole number >= 0/);
  });

  it('closes a socket that does not subscribe in time', async () => {
    const sim = await start({ subscribeTimeoutMs: 200 });
    expect((await (await connect(sim.url)).closed).code).toBe(1008);
  });

  it('rejects a subscribe without channels, and reports unknown products once per channel', async () => {
    const sim = await start({ products: ['BTC-USD', 'ETH-USD'] });
    const c = await connect(sim.url);
    c.send({ type: 'subscribe', product_ids: ['BTC-USD'] });
    expect(await c.next(() => true)).toEqual({ type: 'error', message: 'Failed to subscribe', reason: 'No channels provided' });
    c.subscribe(['BTC-XXX', 'ETH-USD']);
    const error = { type: 'error', message: 'Failed to subscribe', reason: 'BTC-XXX is not a valid product' };
    expect(await c.next(() => true)).toEqual(error);
    expect(await c.next(() => true)).toEqual(error);
    expect(await c.next(() => true)).toMatchObject({
      type: 'subscriptions',
      channels: [
        { name: 'matches', product_ids: ['ETH-USD'] },
        { name: 'heartbeat', product_ids: ['ETH-USD'] },
      ],
    });
    expect(await c.next(() => true)).toMatchObject({ type: 'last_match', product_id: 'ETH-USD' });
    c.send({ type: 'unsubscribe', channels: ['heartbeat'] });
    expect(await c.next(type('subscriptions'))).toMatchObject({ channels: [{ name: 'matches', product_ids: ['ETH-USD'] }] });
  });

  it('sends a 1,000-trade burst with dense ids, rising sequences and exchange-formatted fields', async () => {
    const sim = await start();
    const c = await connect(sim.url);
    c.subscribe(['BTC-USD'], ['matches']);
    await c.next(type('last_match'));
    const burst = sim.trades('BTC-USD', 1000);
    await c.next((f) => f.trade_id === burst[999]?.tradeId, 5000);
    const matches = c.frames.filter(type('match'));
    expect(matches.map((m) => m.trade_id)).toEqual(burst.map((t) => t.tradeId));
    matches.forEach((m, i) => {
      expect(m.trade_id).toBe(51 + i);
      if (i > 0) expect(m.sequence as number).toBeGreaterThan(matches[i - 1]?.sequence as number);
      expect(m.time).toMatch(TIME);
      expect(m.price).toMatch(/^\d+(\.\d{1,2})?$/);
      expect(m.size).toMatch(/^\d+(\.\d{1,8})?$/);
      expect(['buy', 'sell']).toContain(m.side);
    });
  });

  it('skipIds makes a gap the heartbeat and REST reveal', async () => {
    const sim = await start();
    const c = await connect(sim.url);
    c.subscribe(['BTC-USD']);
    await c.next(type('last_match'));
    const skipped = sim.skipIds('BTC-USD', 3);
    expect(skipped.map((t) => t.tradeId)).toEqual([51, 52, 53]);
    expect((await c.next(type('heartbeat'))).last_trade_id).toBe(53);
    sim.trade('BTC-USD');
    expect((await c.next(type('match'))).trade_id).toBe(54);
    expect(c.frames.some((f) => [51, 52, 53].includes(f.trade_id as number))).toBe(false);
    const { body } = await getJson(`${sim.restUrl}/products/BTC-USD/trades?after=54&limit=3`);
    expect((body as Frame[]).map((t) => t.trade_id)).toEqual([53, 52, 51]);
  });

  it('delivers raw frames, drops connections abruptly or cleanly', async () => {
    const sim = await start();
    const c = await connect(sim.url);
    expect(sim.sendRaw('{"type":"match","price":"abc"')).toBe(1);
    expect(await c.next((f) => f.unparsed !== undefined)).toEqual({ unparsed: '{"type":"match","price":"abc"' });
    await sim.dropConnections();
    expect((await c.closed).code).toBe(1006);
    const d = await connect(sim.url);
    await sim.dropConnections(1000, 'deprecated hostname');
    expect(await d.closed).toEqual({ code: 1000, reason: 'deprecated hostname' });
  });

  it('stalls: the socket stays open but nothing arrives, pings included', async () => {
    const sim = await start();
    const c = await connect(sim.url);
    c.subscribe(['BTC-USD']);
    await c.next(type('heartbeat'));
    sim.stall(true);
    await sleep(50);
    const before = c.frames.length;
    let ponged = false;
    c.ws.on('pong', () => (ponged = true));
    c.ws.ping();
    sim.trade('BTC-USD');
    await sleep(400);
    expect(c.frames.length).toBe(before);
    expect(ponged).toBe(false);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    sim.stall(false);
    expect((await c.next(type('heartbeat'))).last_trade_id).toBe(51);
  });

  it('refuses handshakes with HTTP 429 or a dropped TCP connection', async () => {
    const sim = await start();
    sim.refuseConnections(429);
    const status = await new Promise((resolve) => {
      const ws = new WebSocket(sim.url);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(429);
    sim.refuseConnections('refuse');
    await expect(connect(sim.url)).rejects.toThrow();
    sim.refuseConnections(null);
    await connect(sim.url);
  });

  it('trades automatically at the configured rate, with bursts sharing a timestamp', async () => {
    const sim = await start({ ratePerSecond: 200, history: 3000 });
    const c = await connect(sim.url);
    c.subscribe(['BTC-USD'], ['matches']);
    await c.next(type('match'), 3000);
    const times = sim.history('BTC-USD').map((t) => t.time);
    const repeats = times.filter((t, i) => i > 0 && t === times[i - 1]).length;
    expect(repeats).toBeGreaterThan(50);
    sim.pause();
    await sleep(50);
    const paused = sim.latest('BTC-USD')?.tradeId;
    await sleep(200);
    expect(sim.latest('BTC-USD')?.tradeId).toBe(paused);
  });
});

describe('simulator REST trades', () => {
  it('pages through 2,500 trades with after and before cursors', async () => {
    const sim = await start({ history: 2500 });
    const seen: number[] = [];
    let url = `${sim.restUrl}/products/BTC-USD/trades`;
    for (let page = 0; page < 5; page += 1) {
      const { status, body, headers } = await getJson(url);
      expect(status).toBe(200);
      const ids = (body as Frame[]).map((t) => t.trade_id as number);
      if (ids.length === 0) break;
      expect(headers.get('cb-before')).toBe(String(ids[0]));
      expect(headers.get('cb-after')).toBe(String(ids[ids.length - 1]));
      seen.push(...ids);
      url = `${sim.restUrl}/products/BTC-USD/trades?after=${headers.get('cb-after')}`;
    }
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => 2500 - i));
    const first = (await getJson(`${sim.restUrl}/products/BTC-USD/trades?limit=1`)).body as Frame[];
    expect(Object.keys(first[0] ?? {})).toEqual(['time', 'trade_id', 'price', 'size', 'side']);
    expect(first[0]?.price).toMatch(/^\d+\.\d{8}$/);
    const newer = (await getJson(`${sim.restUrl}/products/BTC-USD/trades?before=100&limit=3`)).body as Frame[];
    expect(newer.map((t) => t.trade_id)).toEqual([103, 102, 101]);
    const capped = (await getJson(`${sim.restUrl}/products/BTC-USD/trades?limit=5000`)).body as Frame[];
    expect(capped).toHaveLength(1000);
  });

  it('answers errors as {"message"} and fails on request', async () => {
    const sim = await start();
    expect(await getJson(`${sim.restUrl}/products/DOGE-XXX/trades`)).toMatchObject({ status: 404, body: { message: 'NotFound' } });
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades?after=abc`)).status).toBe(400);
    sim.restFailures(500);
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades`)).status).toBe(500);
    sim.restFailures(429);
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades`)).status).toBe(429);
    sim.restFailures('hang');
    await expect(fetch(`${sim.restUrl}/products/BTC-USD/trades`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    sim.restFailures(null);
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades`)).status).toBe(200);
  });

  it("answers empty pages in 'empty' mode, from the start or switched at run time, and counts every request", async () => {
    const sim = await start({ restFailure: 'empty', history: 20 });
    expect(sim.state()).toMatchObject({ restFailure: 'empty', restRequests: 0 });
    const empty = await getJson(`${sim.restUrl}/products/BTC-USD/trades`);
    expect(empty).toMatchObject({ status: 200, body: [] });
    expect(empty.headers.get('cb-before')).toBeNull();
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades?after=10&limit=5`)).body).toEqual([]);
    // The socket still has the history: the last_match is its newest trade.
    const c = await connect(sim.url);
    c.subscribe(['BTC-USD'], ['matches']);
    expect(await c.next(type('last_match'))).toMatchObject({ trade_id: 20 });
    sim.restFailures(null);
    expect(((await getJson(`${sim.restUrl}/products/BTC-USD/trades?after=10&limit=5`)).body as Frame[]).map((t) => t.trade_id)).toEqual([9, 8, 7, 6, 5]);
    expect((await control(sim, 'restFailures', { mode: 'empty' })).status).toBe(200);
    expect((await getJson(`${sim.restUrl}/products/BTC-USD/trades`)).body).toEqual([]);
    expect((await control(sim, 'restFailures', { mode: 'nothing' })).status).toBe(400);
    const state = (await getJson(`${sim.restUrl}/_control/state`)).body as { restRequests: number; restFailure: unknown };
    expect(state).toMatchObject({ restRequests: 4, restFailure: 'empty' });
    const log = (await getJson(`${sim.restUrl}/_control/restLog`)).body as Array<{ at: number; after: string | null; status: number; trades: number }>;
    expect(log.map((r) => [r.after, r.status, r.trades])).toEqual([[null, 200, 0], ['10', 200, 0], ['10', 200, 5], [null, 200, 0]]);
    expect(log.every((r, i) => i === 0 || r.at >= (log[i - 1]?.at ?? Infinity))).toBe(true);
    expect((await fetch(`${sim.restUrl}/_control/restLog`, { method: 'POST' })).status).toBe(405);
  });

  it('generates the same market for the same seed', async () => {
    const fixed = { now: () => 1_790_000_000_000, history: 500 };
    const history = async (seed: number) => (await getJson(`${(await start({ ...fixed, seed })).restUrl}/products/BTC-USD/trades`)).body;
    const a = await history(7);
    expect(await history(7)).toEqual(a);
    expect(await history(8)).not.toEqual(a);
  });
});

describe('simulator control surface', () => {
  it('drives the simulator over HTTP', async () => {
    const sim = await start({ products: ['BTC-USD', 'ETH-USD'] });
    const c = await connect(sim.url);
    c.subscribe(['ETH-USD'], ['matches']);
    await c.next(type('last_match'));
    const traded = await control(sim, 'trade', { product: 'ETH-USD', price: '3500.10', size: '0.5' });
    expect(traded).toMatchObject({ status: 200, body: { ok: true, result: { tradeId: 51, price: '3500.10' } } });
    expect(await c.next(type('match'))).toMatchObject({ trade_id: 51, price: '3500.10', size: '0.5' });
    expect((await control(sim, 'trades', { product: 'ETH-USD', n: 10 })).body.result).toEqual({ count: 10, firstTradeId: 52, lastTradeId: 61 });
    expect((await control(sim, 'skipIds', { product: 'ETH-USD', n: 2 })).body.result).toMatchObject({ firstTradeId: 62 });
    expect((await control(sim, 'sendRaw', { text: 'hello' })).body.result).toEqual({ sent: 1 });
    await control(sim, 'stall', { on: true });
    await control(sim, 'refuseConnections', { mode: 429 });
    await control(sim, 'restFailures', { mode: 500 });
    await control(sim, 'setRate', { perSecond: 3 });
    await control(sim, 'pause');
    const state = (await getJson(`${sim.restUrl}/_control/state`)).body;
    expect(state).toMatchObject({ stalled: true, refuse: 429, restFailure: 500, rate: 3, paused: true, clients: 1 });
    expect(state).toMatchObject({ products: { 'ETH-USD': { nextTradeId: 64 } } });
    await control(sim, 'resume');
    expect((await control(sim, 'trade', { product: 'NOPE-USD' })).status).toBe(400);
    expect((await control(sim, 'trade', { product: 'ETH-USD', price: 'abc' })).status).toBe(400);
    expect((await control(sim, 'explode')).status).toBe(404);
    await control(sim, 'dropConnections');
    expect((await c.closed).code).toBe(1006);
  });
});
