import { describe, expect, it } from 'vitest';
import {
  type Subscriptions,
  applySubscribe,
  applyUnsubscribe,
  parseChannelRequest,
} from '../../../../../server/feed/simulator/subscribe-request.ts';

const PRODUCTS = new Set(['BTC-USD', 'ETH-USD']);

function subscribe(subs: Subscriptions, message: unknown) {
  const request = parseChannelRequest(message);
  if (!request) throw new Error('not a request');
  return applySubscribe(subs, request, PRODUCTS);
}

function unsubscribe(subs: Subscriptions, message: unknown): void {
  const request = parseChannelRequest(message);
  if (!request) throw new Error('not a request');
  applyUnsubscribe(subs, request);
}

const asObject = (subs: Subscriptions) => Object.fromEntries([...subs].map(([k, v]) => [k, [...v]]));

describe('subscribe requests', () => {
  it('answers a subscribe without channels with the error alone', () => {
    const subs: Subscriptions = new Map();
    expect(subscribe(subs, { type: 'subscribe', product_ids: ['BTC-USD'] })).toEqual({ errors: ['No channels provided'], added: [], acknowledge: false });
    expect(subscribe(subs, { type: 'subscribe', product_ids: ['BTC-USD'], channels: [] }).errors).toEqual(['No channels provided']);
  });

  it('reports an unknown product once per channel and keeps the valid ones', () => {
    const subs: Subscriptions = new Map();
    const outcome = subscribe(subs, { type: 'subscribe', product_ids: ['BTC-XXX', 'BTC-USD'], channels: ['matches', 'heartbeat'] });
    expect(outcome.errors).toEqual(['BTC-XXX is not a valid product', 'BTC-XXX is not a valid product']);
    expect(outcome.acknowledge).toBe(true);
    expect(asObject(subs)).toEqual({ matches: ['BTC-USD'], heartbeat: ['BTC-USD'] });
  });

  it('adds root product ids to channel objects and accumulates subscriptions', () => {
    const subs: Subscriptions = new Map();
    subscribe(subs, { type: 'subscribe', product_ids: ['BTC-USD'], channels: [{ name: 'matches', product_ids: ['ETH-USD'] }] });
    const outcome = subscribe(subs, { type: 'subscribe', product_ids: ['BTC-USD'], channels: ['matches', 'heartbeat'] });
    expect(asObject(subs)).toEqual({ matches: ['ETH-USD', 'BTC-USD'], heartbeat: ['BTC-USD'] });
    expect(outcome.added).toEqual([{ channel: 'heartbeat', product: 'BTC-USD' }]);
  });

  it('refuses authenticated, unknown and product-less channels with the exchange wording', () => {
    const subs: Subscriptions = new Map();
    const outcome = subscribe(subs, { type: 'subscribe', channels: ['level2', 'candles', { name: 'heartbeat', product_ids: [] }] });
    expect(outcome.errors).toEqual([
      'level2, level3, and full channels now require authentication.',
      'candles is not a valid channel',
      'You need to specify at least one product ID for channel heartbeat',
    ]);
    expect(subs.size).toBe(0);
  });

  it('unsubscribes whole channels or single products', () => {
    const subs: Subscriptions = new Map();
    subscribe(subs, { type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channels: ['matches', 'heartbeat', 'ticker'] });
    unsubscribe(subs, { type: 'unsubscribe', channels: ['heartbeat'] });
    unsubscribe(subs, { type: 'unsubscribe', product_ids: ['ETH-USD'], channels: ['matches'] });
    expect(asObject(subs)).toEqual({ matches: ['BTC-USD'], ticker: ['BTC-USD', 'ETH-USD'] });
    // Root products without channels leave every channel; an emptied channel disappears.
    unsubscribe(subs, { type: 'unsubscribe', product_ids: ['BTC-USD'] });
    expect(asObject(subs)).toEqual({ ticker: ['ETH-USD'] });
  });

  it('does not take other messages for requests', () => {
    expect(parseChannelRequest({ type: 'hello' })).toBeNull();
    expect(parseChannelRequest({ type: 'subscribe', channels: 'matches' })).toBeNull();
    expect(parseChannelRequest(null)).toBeNull();
  });
});
