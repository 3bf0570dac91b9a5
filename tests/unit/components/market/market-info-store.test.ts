import { describe, expect, it, vi } from 'vitest';
import { type LoadMarketInfo, createMarketInfoStore } from '../../../../components/market/market-info-store.ts';
import type { FeedStatus } from '../../../../lib/realtime/events.ts';

const INFO = {
  products: ['BTC-USD', 'ETH-USD'],
  windowMs: 30_000,
  simulated: true,
  feed: { 'BTC-USD': { product: 'BTC-USD', state: 'live', since: '2026-11-26T12:00:00Z' } },
};

/** A load the test answers by hand. */
function deferred() {
  const calls: ((answer: { ok: boolean; status: number; body: unknown }) => void)[] = [];
  const request = vi.fn<LoadMarketInfo>(() => new Promise((resolve) => calls.push(resolve)));
  return { request, answer: (body: unknown, status = 200) => calls.shift()?.({ ok: status < 400, status, body }) };
}

describe('the page market info store', () => {
  it('knows no window before the server said which: no 10-minute default', () => {
    const { request } = deferred();
    const store = createMarketInfoStore(request);
    store.subscribe(() => undefined);
    expect(store.getSnapshot()).toMatchObject({ status: 'loading', windowMs: null, products: [] });
  });

  it('loads once for every consumer, and every one gets the same window', async () => {
    const { request, answer } = deferred();
    const store = createMarketInfoStore(request);
    const seen: (number | null)[] = [];
    for (let i = 0; i < 3; i += 1) store.subscribe(() => seen.push(store.getSnapshot().windowMs));
    store.load();
    const settled = store.settled();
    expect(request).toHaveBeenCalledTimes(1);
    answer(INFO);
    await expect(settled).resolves.toMatchObject({ status: 'ready', windowMs: 30_000, simulated: true, products: ['BTC-USD', 'ETH-USD'] });
    expect(seen).toEqual([30_000, 30_000, 30_000]);
    // Later consumers and later loads use what is there.
    store.subscribe(() => undefined);
    store.load();
    await store.settled();
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('says why a load failed, and loads again only when asked', async () => {
    const { request, answer } = deferred();
    const store = createMarketInfoStore(request);
    const first = store.settled();
    answer({ error: { code: 'unauthorized', message: 'Sign in to use this.' } }, 401);
    await expect(first).resolves.toMatchObject({ status: 'error', error: 'Sign in to use this.', windowMs: null });
    store.subscribe(() => undefined);
    expect(request).toHaveBeenCalledTimes(1);
    store.load();
    expect(store.getSnapshot().status).toBe('loading');
    answer(INFO);
    await expect(store.settled()).resolves.toMatchObject({ status: 'ready', windowMs: 30_000 });
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('treats an unreachable server and an unreadable answer as failures, never as a default', async () => {
    const unreachable = createMarketInfoStore(() => Promise.resolve({ ok: false, status: 0, body: null }));
    const down = await unreachable.settled();
    expect(down).toMatchObject({ status: 'error', windowMs: null });
    expect(down.error).toMatch(/could not be reached/);
    const unreadable = createMarketInfoStore(() => Promise.resolve({ ok: true, status: 200, body: { products: 'BTC-USD' } }));
    await expect(unreadable.settled()).resolves.toMatchObject({ status: 'error', windowMs: null });
    const thrown = createMarketInfoStore(() => Promise.reject(new Error('boom')));
    await expect(thrown.settled()).resolves.toMatchObject({ status: 'error', windowMs: null });
  });

  it('keeps the newest feed status of each product, pushed before or after the answer', async () => {
    const { request, answer } = deferred();
    const store = createMarketInfoStore(request);
    const pushed: FeedStatus = { product: 'ETH-USD', state: 'reconnecting', since: '2026-11-26T12:00:05Z' };
    store.applyFeedStatus(pushed);
    expect(store.getSnapshot().status).toBe('loading');
    const settled = store.settled();
    // The answer was taken before the push: its older ETH status must not win.
    answer({ ...INFO, feed: { ...INFO.feed, 'ETH-USD': { product: 'ETH-USD', state: 'live', since: '2026-11-26T12:00:00Z' } } });
    const state = await settled;
    expect(state.feed['ETH-USD']).toEqual(pushed);
    expect(state.feed['BTC-USD']?.state).toBe('live');
    store.applyFeedStatus({ product: 'BTC-USD', state: 'stale', since: '2026-11-26T11:00:00Z' });
    expect(store.getSnapshot().feed['BTC-USD']?.state).toBe('live');
    store.applyFeedStatus({ product: 'BTC-USD', state: 'stale', since: '2026-11-26T12:01:00Z' });
    expect(store.getSnapshot().feed['BTC-USD']?.state).toBe('stale');
  });
});
