'use client';
import { FEED_LABEL, feedTone } from '@/lib/market/feed';
import type { FeedStatus } from '@/lib/realtime/events';

const TONE = {
  ok: 'border-emerald-300 bg-emerald-50 text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  warn: 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200',
  bad: 'border-red-300 bg-red-50 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200',
  unknown: 'border-slate-300 bg-slate-50 text-slate-600 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300',
} as const;

const DOT = { ok: 'bg-emerald-500', warn: 'bg-amber-500', bad: 'bg-red-500', unknown: 'bg-slate-400' } as const;

/**
 * The exchange feed's state for one product, as the server reports it, with its detail. While
 * the page itself is offline the server's word is not coming in, so it says "unknown".
 */
export function FeedBadge({ status, pageOffline = false }: { status: FeedStatus | null; pageOffline?: boolean }) {
  const tone = status ? feedTone(status.state) : 'unknown';
  return (
    <span
      data-testid="feed-state"
      data-state={status?.state ?? 'unknown'}
      aria-live="polite"
      className={`inline-flex items-center gap-1.5 rounded-full border px-2.5 py-0.5 text-xs font-medium ${TONE[tone]}`}
    >
      <span className={`inline-block h-2 w-2 rounded-full ${DOT[tone]}`} aria-hidden="true" />
      <span>
        Feed: {status ? FEED_LABEL[status.state] : pageOffline ? 'unknown while offline' : 'status unknown'}
        {status?.detail && <span className="font-normal">{` — ${status.detail}`}</span>}
      </span>
    </span>
  );
}

/** Says plainly that the numbers on the page are not the market. */
export function SimulatedBadge() {
  return (
    <span
      data-testid="simulated-badge"
      title="This server runs the bundled market simulator: the prices are not real."
      className="inline-flex items-center rounded-full border border-fuchsia-300 bg-fuchsia-50 px-2.5 py-0.5 text-xs font-semibold uppercase tracking-wide text-fuchsia-800 dark:border-fuchsia-800 dark:bg-fuchsia-950 dark:text-fuchsia-200"
    >
      Simulated data
    </span>
  );
}
