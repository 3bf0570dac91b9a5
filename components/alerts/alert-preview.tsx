'use client';
import { basisLabel, formatBasisValue, wouldFireNow } from '@/lib/alerts/format';
import { formatPrice } from '@/lib/market/decimal';
import { formatWindowLong } from '@/lib/market/time';
import type { AlertBasis, AlertDirection, PriceTick } from '@/lib/realtime/events';

export interface AlertPreviewProps {
  latest: PriceTick | null;
  basis: AlertBasis;
  direction: AlertDirection;
  threshold: string;
  /** The server's window; `null` until known, and then nothing is said yet. */
  windowMs: number | null;
}

/**
 * The chosen basis's value now, and a warning when the alert would fire at once. Before the
 * window is known its line is held empty (same height, so nothing moves when it fills in).
 */
export function AlertPreview({ latest, basis, direction, threshold, windowMs }: AlertPreviewProps) {
  if (windowMs === null) {
    return (
      <div className="space-y-2 text-sm">
        <p data-testid="alert-current" data-pending="true" aria-hidden="true" className="text-slate-600 dark:text-slate-300">
          {'\u00a0'}
        </p>
      </div>
    );
  }
  const label = basisLabel(basis, windowMs);
  const current = latest ? (basis === 'mean' ? latest.mean : basis === 'vwap' ? latest.vwap : latest.last) : null;
  const waits = basis !== 'last' && latest !== null && !latest.warm;
  // Only for a threshold the API would take (the form shows what is wrong with any other).
  const fires = current !== null && /^\d{1,13}(\.\d{1,2})?$/.test(threshold.trim()) ? wouldFireNow(direction, threshold.trim(), current) : null;
  const condition = `${direction === 'above' ? 'at or above' : 'at or below'} ${formatPrice(threshold.trim())}`;

  return (
    <div className="space-y-2 text-sm">
      <p data-testid="alert-current" className="text-slate-600 dark:text-slate-300">
        {current === null ? (
          `${capitalize(label)} now: no trades yet.`
        ) : (
          <>
            {capitalize(label)} now: <span className="font-semibold tabular-nums">{formatBasisValue(current, basis)}</span>
            {waits && ' (warming up)'}
          </>
        )}
      </p>
      {fires && current !== null && (
        <p
          role="status"
          data-testid="alert-fires-now"
          className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
        >
          {waits
            ? `The ${label} is already ${condition}: this alert fires on the first trade once the window covers ${formatWindowLong(windowMs)}.`
            : `This alert would fire at once: the ${label} (${formatBasisValue(current, basis)}) is already ${condition}.`}
        </p>
      )}
    </div>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
