import { z } from 'zod';
import type { RawTrade } from '../stream/types.ts';

/**
 * zod schemas of the Coinbase Exchange feed frames the client handles. Prices and sizes stay
 * strings (they are parsed exactly later); unknown extra fields are ignored, as the feed adds
 * fields for authenticated parties.
 */
const matchSchema = z.object({
  type: z.enum(['match', 'last_match']),
  trade_id: z.number().int().positive(),
  product_id: z.string().min(1).max(32),
  time: z.string().min(1).max(64),
  price: z.string().min(1).max(64),
  size: z.string().min(1).max(64),
  side: z.string().min(1).max(8),
});

const heartbeatSchema = z.object({
  type: z.literal('heartbeat'),
  product_id: z.string().min(1).max(32),
  last_trade_id: z.number().int().nonnegative(),
  time: z.string().optional(),
});

const subscriptionsSchema = z.object({
  type: z.literal('subscriptions'),
  channels: z.array(z.object({ name: z.string(), product_ids: z.array(z.string()) })),
});

const errorSchema = z.object({
  type: z.literal('error'),
  message: z.string(),
  reason: z.string().optional(),
});

export type FeedFrame =
  | { kind: 'trade'; trade: RawTrade; last: boolean }
  | { kind: 'heartbeat'; product: string; lastTradeId: number }
  | { kind: 'subscriptions'; products: Record<string, string[]> }
  | { kind: 'error'; message: string; reason: string | undefined }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; reason: string };

/** Channels whose frames are expected but not used (e.g. a ticker some proxies add). */
const IGNORED_TYPES = new Set(['ticker']);

/**
 * Parses one WebSocket text frame. Never throws: malformed JSON, an unknown `type` or a frame
 * missing fields comes back as `{kind: 'invalid', reason}` for the caller to count and log.
 */
export function parseFeedFrame(text: string): FeedFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'malformed JSON' };
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  switch (type) {
    case 'match':
    case 'last_match': {
      const parsed = matchSchema.safeParse(json);
      if (!parsed.success) return { kind: 'invalid', reason: `bad ${type}: ${firstIssue(parsed.error)}` };
      const m = parsed.data;
      return {
        kind: 'trade',
        last: m.type === 'last_match',
        trade: { product: m.product_id, tradeId: m.trade_id, time: m.time, price: m.price, size: m.size, side: m.side },
      };
    }
    case 'heartbeat': {
      const parsed = heartbeatSchema.safeParse(json);
      if (!parsed.success) return { kind: 'invalid', reason: `bad heartbeat: ${firstIssue(parsed.error)}` };
      return { kind: 'heartbeat', product: parsed.data.product_id, lastTradeId: parsed.data.last_trade_id };
    }
    case 'subscriptions': {
      const parsed = subscriptionsSchema.safeParse(json);
      if (!parsed.success) return { kind: 'invalid', reason: `bad subscriptions: ${firstIssue(parsed.error)}` };
      return {
        kind: 'subscriptions',
        products: Object.fromEntries(parsed.data.channels.map((c) => [c.name, c.product_ids])),
      };
    }
    case 'error': {
      const parsed = errorSchema.safeParse(json);
      if (!parsed.success) return { kind: 'invalid', reason: 'bad error frame' };
      return { kind: 'error', message: parsed.data.message, reason: parsed.data.reason };
    }
    default:
      if (typeof type === 'string' && IGNORED_TYPES.has(type)) return { kind: 'ignored', type };
      return { kind: 'invalid', reason: `unknown type ${JSON.stringify(type)?.slice(0, 40) ?? 'undefined'}` };
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'invalid';
}

/** The product named by a subscribe error like "FOO-BAR is not a valid product", if any. */
export function productOfSubscribeError(reason: string | undefined): string | null {
  const match = /^(\S+) is not a valid product/.exec(reason ?? '');
  return match?.[1] ?? null;
}
