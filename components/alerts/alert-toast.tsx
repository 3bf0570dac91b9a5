'use client';
import Link from 'next/link';
import { toast } from 'sonner';
import { type HitText, describeHitText } from '@/lib/alerts/format';
import type { AlertDirection, AlertHit } from '@/lib/realtime/events';

const LIVE_TOAST_MS = 10_000;
const REPLAYED_TOAST_MS = 20_000;

/**
 * Shows one hit as a toast: "Alert fired" (or "… while you were away"), the condition, the value
 * with its unit and the trade's time in the viewer's locale and zone. Above and below differ in
 * the arrow's direction and in colour (the accent is in app/globals.css).
 */
export function showHitToast(hit: AlertHit, windowMs: number | null): void {
  const text = describeHitText(hit, windowMs, Date.now());
  toast(<AlertToast hit={hit} text={text} />, {
    id: `alert-hit-${hit.notificationId}`,
    duration: hit.replayed ? REPLAYED_TOAST_MS : LIVE_TOAST_MS,
    className: `alert-hit alert-hit-${hit.alert.direction}`,
  });
}

/** One toast for the replayed hits beyond those shown one by one; the inbox lists them all. */
export function showReplaySummary(count: number): void {
  toast(
    <div data-testid="alert-toast-summary" data-count={count} className="space-y-0.5">
      <p className="font-semibold">
        {count === 1 ? '1 more alert' : `${count} more alerts`} fired while you were away
      </p>
      <Link href="/inbox" className="text-xs underline">
        See them all in the inbox
      </Link>
    </div>,
    { id: 'alert-hit-replay-summary', duration: REPLAYED_TOAST_MS, className: 'alert-hit' },
  );
}

function AlertToast({ hit, text }: { hit: AlertHit; text: HitText }) {
  const { direction, note } = hit.alert;
  return (
    <div
      data-testid="alert-toast"
      data-notification-id={hit.notificationId}
      data-replayed={hit.replayed ? 'true' : 'false'}
      data-direction={direction}
      className="flex gap-3"
    >
      <DirectionIcon direction={direction} />
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3">
          <p className="font-semibold">{text.headline}</p>
          <Link href="/inbox" className="text-xs font-normal underline">
            Open inbox
          </Link>
        </div>
        <p data-testid="alert-toast-condition" className="font-normal">
          {text.condition}
        </p>
        <p data-testid="alert-toast-value" className="font-normal tabular-nums">
          <span className="font-semibold">{text.value}</span> at <time dateTime={hit.time}>{text.time}</time>
        </p>
        {note && <p className="text-xs font-normal break-words">{note}</p>}
      </div>
    </div>
  );
}

const ICON_TONE: Record<AlertDirection, string> = {
  above: 'bg-emerald-100 text-emerald-700 dark:bg-emerald-900 dark:text-emerald-200',
  below: 'bg-red-100 text-red-700 dark:bg-red-900 dark:text-red-200',
};

/** An arrow up for above, down for below: told apart by shape as well as by colour. */
function DirectionIcon({ direction }: { direction: AlertDirection }) {
  return (
    <span aria-hidden="true" className={`mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full ${ICON_TONE[direction]}`}>
      <svg viewBox="0 0 12 12" className="h-3.5 w-3.5">
        <path d={direction === 'above' ? 'M6 2.5 10 8H2z' : 'M6 9.5 2 4h8z'} fill="currentColor" />
      </svg>
    </span>
  );
}
