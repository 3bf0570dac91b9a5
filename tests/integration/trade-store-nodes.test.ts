import { afterAll, describe, expect, it } from 'vitest';
import { type Db, createDb } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { type TradeStore, createTradeStore } from '../../server/pipeline/trade-store.ts';
import type { Trade } from '../../server/stream/types.ts';
import { freshPostgresUrl } from '../support/test-database.ts';

/**
 * Several nodes store the same trades: every node ingests the feed and writes what it applied
 * into the one PostgreSQL database (`INSERT … ON CONFLICT DO NOTHING`). Two nodes starting
 * together backfill the same history at once, each in its own order (the products' REST pages
 * arrive as they arrive); their batches must not deadlock each other.
 */
const dbs: Db[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((db) => db.$disconnect()));
});

function trade(product: string, tradeId: number): Trade {
  const timeUs = 1_796_644_800_000_000 + tradeId;
  return {
    product,
    tradeId,
    time: new Date(timeUs / 1000).toISOString(),
    timeUs,
    price: '50000.00',
    size: '0.01',
    side: 'buy',
    priceUnits: 5_000_000n,
    sizeUnits: 1_000_000n,
  };
}

describe('two nodes storing the same trades', () => {
  it('write overlapping batches at once, in opposite orders, without a deadlock or a failed write, and store every trade once', async () => {
    const url = await freshPostgresUrl();
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const stores: TradeStore[] = [];
    for (let n = 0; n < 2; n++) {
      const db = await createDb({ provider: 'postgresql', url });
      dbs.push(db);
      // Written only when the test says (flush), so both batches start together.
      stores.push(createTradeStore({ db, logger, flushIntervalMs: 3_600_000 }));
    }
    const ROUNDS = 4;
    const PER_PRODUCT = 1_200;
    for (let round = 0; round < ROUNDS; round++) {
      const ids = Array.from({ length: PER_PRODUCT }, (_, i) => round * PER_PRODUCT + i + 1);
      const btc = ids.map((id) => trade('BTC-USD', id));
      const eth = ids.map((id) => trade('ETH-USD', id));
      // One node applied BTC-USD first, the other ETH-USD, and newest first.
      for (const t of [...btc, ...eth]) stores[0]!.add(t);
      for (const t of [...eth, ...btc].reverse()) stores[1]!.add(t);
      await Promise.all(stores.map((store) => store.flush()));
      expect(
        stores.map((store) => store.failing()),
        lines.join(''),
      ).toEqual([false, false]);
      expect(stores.map((store) => store.pending())).toEqual([0, 0]);
    }
    expect(lines).toEqual([]);
    const stored = await dbs[0]!.trade.groupBy({ by: ['product'], _count: { _all: true }, orderBy: { product: 'asc' } });
    expect(stored.map((row) => [row.product, row._count._all])).toEqual([
      ['BTC-USD', ROUNDS * PER_PRODUCT],
      ['ETH-USD', ROUNDS * PER_PRODUCT],
    ]);
    for (const store of stores) await store.close();
  });
});
