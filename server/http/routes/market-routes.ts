import { z } from 'zod';
import { AppError } from '../../../lib/errors.ts';
import type { FeedStatus } from '../../../lib/realtime/events.ts';
import type { PricePoint } from '../../stream/price-history.ts';
import type { ApiRoute } from '../api-router.ts';

/** What the market routes read from the running pipeline. */
export interface MarketView {
  products: readonly string[];
  windowMs: number;
  simulated: boolean;
  statuses(): Record<string, FeedStatus>;
  history(product: string, sinceUs: number, maxPoints: number): PricePoint[];
}

const DEFAULT_POINTS = 600;
const MAX_POINTS = 5_000;

const pricesQuerySchema = z.object({
  since: z
    .string()
    .refine((text) => !Number.isNaN(Date.parse(text)), 'since must be an ISO-8601 time, e.g. 2026-11-26T15:00:00Z')
    .optional(),
  points: z
    .string()
    .regex(/^\d+$/, 'points must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_POINTS, `points must be from 1 to ${MAX_POINTS}`)
    .optional(),
});

/**
 * `GET /api/market`: the products this server follows, the window, whether the data is
 * simulated, and each product's feed status. `GET /api/prices/:product`: the price history
 * since a time (default: one hour ago), thinned to at most `points`.
 */
export function marketRoutes(market: MarketView, now: () => number = Date.now): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/market',
      handle: () => ({
        body: {
          products: market.products,
          windowMs: market.windowMs,
          simulated: market.simulated,
          feed: market.statuses(),
        },
      }),
    },
    {
      method: 'GET',
      path: '/api/prices/:product',
      handle: ({ params, url }) => {
        const product = params.product ?? '';
        if (!market.products.includes(product)) {
          throw new AppError('not_found', `This server does not follow ${product}; it follows ${market.products.join(', ')}.`);
        }
        const query = pricesQuerySchema.safeParse(Object.fromEntries(url.searchParams));
        if (!query.success) {
          throw new AppError('validation_failed', query.error.issues[0]?.message ?? 'Invalid query.');
        }
        const sinceMs = query.data.since ? Date.parse(query.data.since) : now() - 3_600_000;
        const points = market.history(product, sinceMs * 1000, query.data.points ?? DEFAULT_POINTS);
        return {
          body: {
            product,
            points: points.map((p) => ({ time: p.time, last: p.last, mean: p.mean, vwap: p.vwap })),
          },
        };
      },
    },
  ];
}
