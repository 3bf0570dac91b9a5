import { z } from 'zod';

/** Channel name → subscribed products, in subscription order. */
export type Subscriptions = Map<string, Set<string>>;

/** Channels this simulator serves. */
export const SUPPORTED_CHANNELS = new Set(['matches', 'heartbeat', 'ticker']);
/** Channels the exchange serves only to authenticated clients. */
const AUTH_CHANNELS = new Set(['full', 'user', 'level2', 'level3', 'balance']);
const AUTH_REASON = 'level2, level3, and full channels now require authentication.';

const requestSchema = z.object({
  type: z.enum(['subscribe', 'unsubscribe']),
  product_ids: z.array(z.string()).optional(),
  channels: z
    .array(z.union([z.string(), z.object({ name: z.string(), product_ids: z.array(z.string()).optional() })]))
    .optional(),
});

/** A parsed `subscribe`/`unsubscribe`: each channel with the products it names. */
export interface ChannelRequest {
  type: 'subscribe' | 'unsubscribe';
  channels: Array<{ name: string; products: string[] }>;
  rootProducts: string[];
}

/** Reads a client frame; returns null when it is not a well-formed (un)subscribe request. */
export function parseChannelRequest(json: unknown): ChannelRequest | null {
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) return null;
  const rootProducts = parsed.data.product_ids ?? [];
  const channels = (parsed.data.channels ?? []).map((c) =>
    typeof c === 'string'
      ? { name: c, products: rootProducts }
      : // Root product ids are added to every channel, as the exchange documents.
        { name: c.name, products: [...new Set([...(c.product_ids ?? []), ...rootProducts])] },
  );
  return { type: parsed.data.type, channels, rootProducts };
}

/** What a subscribe did: error reasons in order, new (channel, product) pairs, and whether to ack. */
export interface SubscribeOutcome {
  errors: string[];
  added: Array<{ channel: string; product: string }>;
  acknowledge: boolean;
}

/**
 * Applies a subscribe to `subs` the way the exchange does: no channels → one error and
 * nothing else; an unknown product → one error per channel naming it, the valid products
 * still subscribed. The newly added pairs let the caller send `last_match`/`ticker` snapshots
 * for exactly those.
 */
export function applySubscribe(
  subs: Subscriptions,
  request: ChannelRequest,
  products: ReadonlySet<string>,
): SubscribeOutcome {
  // The exchange answers a subscribe without channels with the error alone, no `subscriptions`.
  if (request.channels.length === 0) return { errors: ['No channels provided'], added: [], acknowledge: false };
  const errors: string[] = [];
  const added: Array<{ channel: string; product: string }> = [];
  for (const { name, products: wanted } of request.channels) {
    if (AUTH_CHANNELS.has(name)) {
      errors.push(AUTH_REASON);
      continue;
    }
    if (!SUPPORTED_CHANNELS.has(name)) {
      errors.push(`${name} is not a valid channel`);
      continue;
    }
    if (wanted.length === 0) {
      errors.push(`You need to specify at least one product ID for channel ${name}`);
      continue;
    }
    for (const product of wanted) {
      if (!products.has(product)) {
        errors.push(`${product} is not a valid product`);
        continue;
      }
      const set = subs.get(name) ?? new Set<string>();
      subs.set(name, set);
      if (!set.has(product)) {
        set.add(product);
        added.push({ channel: name, product });
      }
    }
  }
  return { errors, added, acknowledge: true };
}

/**
 * Applies an unsubscribe: a channel named without products is removed entirely; with
 * products (its own or the root list) only those go. No channels: the root products leave
 * every channel.
 */
export function applyUnsubscribe(subs: Subscriptions, request: ChannelRequest): void {
  const targets =
    request.channels.length > 0
      ? request.channels
      : [...subs.keys()].map((name) => ({ name, products: request.rootProducts }));
  for (const { name, products } of targets) {
    const set = subs.get(name);
    if (!set) continue;
    if (products.length === 0) subs.delete(name);
    else for (const product of products) set.delete(product);
    if (set.size === 0) subs.delete(name);
  }
}
