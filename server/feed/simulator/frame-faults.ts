import type { PublishedTrade } from './trade-tape.ts';

/**
 * Delivery faults for `match` frames, armed per product by tests: send the next trade twice,
 * or hold the next trade back and send it after the one that follows it (out of order).
 */
export function createFrameFaults() {
  const duplicates = new Map<string, number>();
  const reorders = new Map<string, number>();
  const held = new Map<string, PublishedTrade>();

  return {
    /** The next `times` published trades of `product` are each sent twice in a row. */
    duplicateNext(product: string, times = 1): void {
      duplicates.set(product, (duplicates.get(product) ?? 0) + times);
    },
    /** The next trade of `product` is held and sent right after the one published after it. */
    reorderNext(product: string): void {
      reorders.set(product, (reorders.get(product) ?? 0) + 1);
    },
    /** The trades whose frames go out now, in order, for a newly published trade. */
    shape(trade: PublishedTrade): PublishedTrade[] {
      const { product } = trade;
      const waiting = held.get(product);
      const reorder = reorders.get(product) ?? 0;
      if (reorder > 0 && !waiting) {
        reorders.set(product, reorder - 1);
        held.set(product, trade);
        return [];
      }
      const out = [trade];
      if (waiting) {
        held.delete(product);
        out.push(waiting);
      }
      const dup = duplicates.get(product) ?? 0;
      if (dup > 0) {
        duplicates.set(product, dup - 1);
        out.push(trade);
      }
      return out;
    },
    /** A held trade that found no successor yet (sent before the next heartbeat). */
    flush(product: string): PublishedTrade[] {
      const waiting = held.get(product);
      held.delete(product);
      return waiting ? [waiting] : [];
    },
  };
}

/** The per-product duplicate/reorder knobs. */
export type FrameFaults = ReturnType<typeof createFrameFaults>;
