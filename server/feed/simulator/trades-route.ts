import type http from 'node:http';
import type { ProductMarket } from './product-market.ts';
import { padDecimal } from './trade-fields.ts';

/** How the REST twin misbehaves when told to: null = serve normally. */
export type RestFailureMode = null | 500 | 429 | 'hang';

/** Largest and default page size of the exchange's trades endpoint. */
export const TRADES_PAGE_LIMIT = 1000;

/** Writes a JSON response. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function cursor(params: URLSearchParams, name: string): number | undefined | null {
  const text = params.get(name);
  if (text === null) return undefined;
  return /^\d{1,15}$/.test(text) && Number(text) > 0 ? Number(text) : null;
}

export interface TradesRouteDeps {
  markets: ReadonlyMap<string, ProductMarket>;
  failure(): RestFailureMode;
  /** Most trades per page. */
  pageLimit: number;
  /** Counts each request to this route. */
  counted(): void;
  /** Keeps a response open without answering (closed when the simulator closes). */
  hang(res: http.ServerResponse): void;
}

/**
 * `GET /products/{id}/trades?limit=&after=&before=`, as the exchange serves it: a bare array
 * newest first, `after=X` → ids below X, `before=X` → the page just above X, cursors in the
 * `CB-BEFORE` (newest id) and `CB-AFTER` (oldest id) headers, price and size padded to 8
 * decimals, errors as `{"message": ...}`. Returns false when the path is not this route.
 */
export function handleTradesRequest(req: http.IncomingMessage, res: http.ServerResponse, url: URL, deps: TradesRouteDeps): boolean {
  const match = /^\/products\/([^/]+)\/trades\/?$/.exec(url.pathname);
  if (!match?.[1]) return false;
  if (req.method !== 'GET') {
    sendJson(res, 405, { message: 'Method not allowed' });
    return true;
  }
  deps.counted();
  const failure = deps.failure();
  if (failure === 'hang') {
    deps.hang(res);
    return true;
  }
  if (failure === 500) {
    sendJson(res, 500, { message: 'Internal server error' });
    return true;
  }
  if (failure === 429) {
    sendJson(res, 429, { message: 'Public rate limit exceeded' });
    return true;
  }
  const market = deps.markets.get(decodeURIComponent(match[1]));
  if (!market) {
    sendJson(res, 404, { message: 'NotFound' });
    return true;
  }
  const after = cursor(url.searchParams, 'after');
  const before = cursor(url.searchParams, 'before');
  const limit = cursor(url.searchParams, 'limit');
  if (after === null || before === null || limit === null) {
    const bad = after === null ? 'after' : before === null ? 'before' : 'limit';
    sendJson(res, 400, { message: `Invalid ${bad}: must be a positive integer` });
    return true;
  }
  const page = market.tape.page({ after, before, limit: Math.min(limit ?? TRADES_PAGE_LIMIT, deps.pageLimit) });
  const newest = page[0];
  const oldest = page[page.length - 1];
  const headers: Record<string, string> =
    newest && oldest ? { 'cb-before': String(newest.tradeId), 'cb-after': String(oldest.tradeId) } : {};
  const body = page.map((t) => ({
    time: t.time,
    trade_id: t.tradeId,
    price: padDecimal(t.price, 8),
    size: padDecimal(t.size, 8),
    side: t.side,
  }));
  sendJson(res, 200, body, headers);
  return true;
}
