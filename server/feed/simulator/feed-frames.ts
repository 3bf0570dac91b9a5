import type { PublishedTrade, TapeStats } from './trade-tape.ts';

/**
 * The exchange's WebSocket frames, field for field and in the order of the documented and
 * captured examples (reference §1.3–1.7), serialized once and sent to every subscriber.
 */

/** A `match`, or the `last_match` sent once per product right after subscribing. */
export function matchFrame(trade: PublishedTrade, type: 'match' | 'last_match'): string {
  return JSON.stringify({
    type,
    trade_id: trade.tradeId,
    sequence: trade.sequence,
    maker_order_id: trade.makerOrderId,
    taker_order_id: trade.takerOrderId,
    time: trade.time,
    product_id: trade.product,
    size: trade.size,
    price: trade.price,
    side: trade.side,
  });
}

/** A `heartbeat`: `lastTradeId` is the newest trade id, sent or not (0 before any trade). */
export function heartbeatFrame(product: string, sequence: number, lastTradeId: number, time: string): string {
  return JSON.stringify({ type: 'heartbeat', last_trade_id: lastTradeId, product_id: product, sequence, time });
}

/**
 * A `ticker` for a trade. Its `side` is the taker side (the opposite of the match), its
 * `sequence` the match's. Book and 24 h figures are plausible, not modelled.
 */
export function tickerFrame(trade: PublishedTrade, stats: TapeStats, tickUnits: string): string {
  const price = Number(trade.price);
  const tick = Number(tickUnits);
  const decimals = tickUnits.split('.')[1]?.length ?? 0;
  // The maker sat on the touched side of the book: a sell maker was the best ask.
  const bid = trade.side === 'buy' ? price : price - tick;
  const ask = trade.side === 'sell' ? price : price + tick;
  return JSON.stringify({
    type: 'ticker',
    sequence: trade.sequence,
    product_id: trade.product,
    price: trade.price,
    open_24h: stats.open,
    volume_24h: stats.volume.toFixed(8),
    low_24h: stats.low,
    high_24h: stats.high,
    volume_30d: (stats.volume * 30).toFixed(8),
    best_bid: bid.toFixed(decimals),
    best_bid_size: '0.10000000',
    best_ask: ask.toFixed(decimals),
    best_ask_size: '0.10000000',
    side: trade.side === 'sell' ? 'buy' : 'sell',
    time: trade.time,
    trade_id: trade.tradeId,
    last_size: trade.size,
  });
}

/** The cumulative `subscriptions` reply, with the `account_ids: null` seen in 2026 captures. */
export function subscriptionsFrame(subscriptions: ReadonlyMap<string, ReadonlySet<string>>): string {
  const channels = [...subscriptions].map(([name, products]) => ({ name, product_ids: [...products], account_ids: null }));
  return JSON.stringify({ type: 'subscriptions', channels });
}

/** An `error` frame, e.g. `("Failed to subscribe", "BTC-XXX is not a valid product")`. */
export function errorFrame(message: string, reason?: string): string {
  return JSON.stringify(reason === undefined ? { type: 'error', message } : { type: 'error', message, reason });
}
