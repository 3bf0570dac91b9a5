import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createProductMarket } from '../../../../../server/feed/simulator/product-market.ts';
import {
  type RestFailureMode,
  type RestRequestRecord,
  handleTradesRequest,
} from '../../../../../server/feed/simulator/trades-route.ts';

const NOW = Date.UTC(2026, 0, 1, 12);

interface Answer {
  status: number | null;
  headers: Record<string, string | number>;
  body: unknown;
}

/** Runs one request through the route with a stand-in response; returns what was answered. */
function request(path: string, options: { failure?: RestFailureMode; history?: number; method?: string } = {}) {
  const market = createProductMarket('BTC-USD', { seed: 1, startPrice: '67000.00', firstTradeId: 1, maxTrades: 1000 });
  market.backfillHistory(options.history ?? 0, NOW, 60_000);
  const records: Array<Omit<RestRequestRecord, 'at'>> = [];
  const hung: unknown[] = [];
  const answer: Answer = { status: null, headers: {}, body: undefined };
  const res = {
    writeHead(status: number, headers: Record<string, string | number>) {
      answer.status = status;
      answer.headers = headers;
      return this;
    },
    end(text: string) {
      answer.body = JSON.parse(text) as unknown;
    },
  } as unknown as http.ServerResponse;
  const req = { method: options.method ?? 'GET' } as http.IncomingMessage;
  const handled = handleTradesRequest(req, res, new URL(path, 'http://simulator'), {
    markets: new Map([['BTC-USD', market]]),
    failure: () => options.failure ?? null,
    pageLimit: 1000,
    counted: (record) => records.push(record),
    hang: (response) => hung.push(response),
  });
  return { handled, answer, records, hung };
}

describe('simulator REST trades route', () => {
  it('answers a product without trades with an empty page and no cursor headers', () => {
    const { answer, records } = request('/products/BTC-USD/trades?after=5&limit=100');
    expect(answer).toMatchObject({ status: 200, body: [] });
    expect(Object.keys(answer.headers).filter((h) => h.startsWith('cb-'))).toEqual([]);
    expect(records).toEqual([{ product: 'BTC-USD', after: '5', before: null, limit: '100', status: 200, trades: 0 }]);
  });

  it("in 'empty' mode answers every valid request with [] although trades exist, and still refuses bad ones", () => {
    const normal = request('/products/BTC-USD/trades', { history: 30 });
    expect((normal.answer.body as unknown[]).length).toBe(30);
    expect(normal.answer.headers).toMatchObject({ 'cb-before': '30', 'cb-after': '1' });
    for (const path of ['/products/BTC-USD/trades', '/products/BTC-USD/trades?after=31', '/products/BTC-USD/trades?before=3&limit=2']) {
      const empty = request(path, { history: 30, failure: 'empty' });
      expect(empty.answer, path).toMatchObject({ status: 200, body: [] });
      expect(empty.answer.headers['cb-before'], path).toBeUndefined();
      expect(empty.records, path).toMatchObject([{ status: 200, trades: 0 }]);
    }
    expect(request('/products/BTC-USD/trades?after=x', { failure: 'empty' }).answer.status).toBe(400);
    expect(request('/products/DOGE-XXX/trades', { failure: 'empty' }).answer).toMatchObject({ status: 404, body: { message: 'NotFound' } });
  });

  it('records every request with its answer: errors, failures and hanging ones included', () => {
    expect(request('/products/DOGE-XXX/trades?limit=3').records).toEqual([
      { product: 'DOGE-XXX', after: null, before: null, limit: '3', status: 404, trades: 0 },
    ]);
    expect(request('/products/BTC-USD/trades', { failure: 500 }).records).toMatchObject([{ status: 500 }]);
    expect(request('/products/BTC-USD/trades', { failure: 429 }).records).toMatchObject([{ status: 429 }]);
    const hanging = request('/products/BTC-USD/trades', { failure: 'hang' });
    expect(hanging.records).toMatchObject([{ status: 'hang', trades: 0 }]);
    expect(hanging.hung).toHaveLength(1);
    expect(hanging.answer.status).toBeNull();
    expect(request('/products/%E0%A4%A/trades').records).toMatchObject([{ product: '%E0%A4%A', status: 404 }]);
  });

  it('leaves other paths alone and does not count other methods', () => {
    expect(request('/products/BTC-USD/book').handled).toBe(false);
    const post = request('/products/BTC-USD/trades', { method: 'POST' });
    expect(post.answer.status).toBe(405);
    expect(post.records).toEqual([]);
  });
});
