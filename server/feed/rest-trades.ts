import { z } from 'zod';
import type { RawTrade } from '../stream/types.ts';

const restTradeSchema = z.object({
  trade_id: z.number().int().positive(),
  time: z.string(),
  price: z.string(),
  size: z.string(),
  side: z.string(),
});
const restPageSchema = z.array(z.unknown());

/** Largest page the exchange serves. */
export const REST_PAGE_LIMIT = 1000;

export class RestError extends Error {
  override name = 'RestError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/**
 * Fetches one page of trades older than `beforeId` (Coinbase's `after` cursor: ids < cursor),
 * newest first, as the exchange returns them. Entries that do not look like trades are returned
 * in `invalid` rather than failing the page. Throws `RestError` for HTTP errors, timeouts and
 * bodies that are not a JSON array.
 */
export async function fetchTradesBefore(
  restUrl: URL,
  product: string,
  beforeId: number,
  limit: number,
  timeoutMs = 10_000,
): Promise<{ trades: RawTrade[]; invalid: number }> {
  const url = new URL(`products/${encodeURIComponent(product)}/trades`, restUrl.href.endsWith('/') ? restUrl : `${restUrl.href}/`);
  url.searchParams.set('after', String(beforeId));
  url.searchParams.set('limit', String(Math.min(limit, REST_PAGE_LIMIT)));
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new RestError(`trades request failed: ${error instanceof Error ? error.message : String(error)}`, null);
  }
  if (!response.ok) throw new RestError(`trades request answered HTTP ${response.status}`, response.status);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new RestError('trades response is not JSON', response.status);
  }
  const page = restPageSchema.safeParse(body);
  if (!page.success) throw new RestError('trades response is not an array', response.status);
  const trades: RawTrade[] = [];
  let invalid = 0;
  for (const entry of page.data) {
    const parsed = restTradeSchema.safeParse(entry);
    if (!parsed.success) {
      invalid += 1;
      continue;
    }
    const t = parsed.data;
    trades.push({ product, tradeId: t.trade_id, time: t.time, price: t.price, size: t.size, side: t.side });
  }
  return { trades, invalid };
}
