import type http from 'node:http';
import type { ProductMarket } from './product-market.ts';
import { padDecimal } from './trade-fields.ts';

/**
 * How the REST twin misbehaves when told to: null = serve normally; 500 / 429 = answer that
 * status; 'hang' = never answer; 'empty' = answer every valid trades request with an empty page
 * (`[]`, 200, no cursor headers), like an exchange that has no trades to give.
 */
export type RestFailureMode = null | 500 | 429 | 'hang' | 'empty';

/** One request to the trades route, as the simulator saw it (see `Simulator.restLog`). */
export interface RestRequestRecord {
  /** Arrival time, milliseconds on the simulator's clock. */
  at: number;
  /** The product in the path, as asked (it may be unknown). */
  product: string;
  /** The query's `after`, `before` and `limit` as sent, or null when absent. */
  after: string | null;
  before: string | null;
  limit: string | null;
  /** The HTTP status answered, or 'hang' for a request left unanswered. */
  status: number | 'hang';
  /** Trades in the answer (0 for errors and empty pages). */
  trades: number;
}

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
  /** Called once per request to this route, with how it was answered. */
  counted(record: Omit<RestRequestRecord, 'at'>): void;
  /** Keeps a response open without answering (closed when the simulator closes). */
  hang(res: http.ServerResponse): void;
}

/**
 * `GET /products/{id}/trades?limit=&after=&before=`, as the exchange serves it: a bare array
 * newest first, `after=X` → ids below X, `before=X` → the page just above X, cursors in the
 * `CB-BEFORE` (newest id) and `CB-AFTER` (oldest id) headers, price and size padded to 8
 * decimals, errors as `{"message": ...}`. Every request is reported to `deps.counted` with its
 * answer. Returns false when the path is not this route.
 */
export function handleTradesRequest(req: http.IncomingMessage, res: http.ServerResponse, url: URL, deps: TradesRouteDeps): boolean {
  const match = /^\/products\/([^/]+)\/trades\/?$/.exec(url.pathname);
  if (!match?.[1]) return false;
  if (req.method !== 'GET') {
    sendJson(res, 405, { message: 'Method not allowed' });
    return true;
  }
  const product = safeDecode(match[1]);
  const asked = { product, after: url.searchParams.get('after'), before: url.searchParams.get('before'), limit: url.searchParams.get('limit') };
  const reply = (status: number, body: unknown[] | { message: string }, headers: Record<string, string> = {}): true => {
    deps.counted({ ...asked, status, trades: Array.isArray(body) ? body.length : 0 });
    sendJson(res, status, body, headers);
    return true;
  };
  const failure = deps.failure();
  if (failure === 'hang') {
    deps.counted({ ...asked, status: 'hang', trades: 0 });
    deps.hang(res);
    return true;
  }
  if (failure === 500) return reply(500, { message: 'Internal server error' });
  if (failure === 429) return reply(429, { message: 'Public rate limit exceeded' });
  const market = deps.markets.get(product);
  if (!market) return reply(404, { message: 'NotFound' });
  const after = cursor(url.searchParams, 'after');
  const before = cursor(url.searchParams, 'before');
  const limit = cursor(url.searchParams, 'limit');
  if (after === null || before === null || limit === null) {
    const bad = after === null ? 'after' : before === null ? 'before' : 'limit';
    return reply(400, { message: `Invalid ${bad}: must be a positive integer` });
  }
  if (failure === 'empty') return reply(200, []);
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
  return reply(200, body, headers);
}

/** A path segment decoded, or as it is when it is not valid percent-encoding. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
