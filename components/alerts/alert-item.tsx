'use client';
import { useState } from 'react';
import { toast } from 'sonner';
import { STATUS_LABEL, basisLabel, describeRepeat, formatDateTime } from '@/lib/alerts/format';
import { formatPrice } from '@/lib/market/decimal';
import type { Alert, AlertStatus } from '@/lib/realtime/events';

export interface AlertItemProps {
  alert: Alert;
  /** The server's window; `null` when it could not be loaded (the label then names none). */
  windowMs: number | null;
  onDelete: (id: string) => Promise<string | null>;
  onRearm: (id: string) => Promise<string | null>;
}

const BADGE: Record<AlertStatus, string> = {
  armed: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200',
  triggered: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  expired: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
};

/** One alert: its terms, status and times, its note as plain text, and what can be done with it. */
export function AlertItem({ alert, windowMs, onDelete, onRearm }: AlertItemProps) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const name = `${alert.product} ${alert.direction} ${formatPrice(alert.threshold)}`;

  async function run(action: (id: string) => Promise<string | null>, done: string) {
    setPending(true);
    const problem = await action(alert.id);
    setPending(false);
    setConfirming(false);
    if (problem) toast.error(problem);
    else toast.success(done);
  }

  return (
    <li data-testid="alert-item" data-alert-id={alert.id} data-status={alert.status} className="space-y-1.5 py-3 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{alert.product}</span>
        <span>
          {basisLabel(alert.basis, windowMs)} {alert.direction}{' '}
          <span className="font-semibold tabular-nums" data-testid="alert-threshold">
            {formatPrice(alert.threshold)}
          </span>
        </span>
        <span data-testid="alert-status" className={`rounded-full px-2 py-0.5 text-xs font-medium ${BADGE[alert.status]}`}>
          {STATUS_LABEL[alert.status]}
        </span>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        {describeRepeat(alert.repeat, alert.product)} · Created {formatDateTime(alert.createdAt)}
        {alert.triggeredAt && (
          <>
            {' '}
            · {alert.status === 'armed' ? 'Last triggered' : 'Triggered'} {formatDateTime(alert.triggeredAt)}
          </>
        )}
        {alert.expiresAt && (
          <>
            {' '}
            · {alert.status === 'expired' ? 'Expired' : 'Expires'} {formatDateTime(alert.expiresAt)}
          </>
        )}
      </p>
      {alert.note && (
        <p data-testid="alert-note" className="break-words whitespace-pre-wrap text-slate-700 dark:text-slate-300">
          {alert.note}
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2 pt-1">
        {alert.status !== 'armed' && (
          <button
            type="button"
            className="btn-secondary px-3 py-1"
            data-testid="alert-rearm"
            disabled={pending}
            aria-label={`Re-arm ${name}`}
            onClick={() => void run(onRearm, 'Alert re-armed')}
          >
            Re-arm
          </button>
        )}
        {confirming ? (
          <span role="group" aria-label={`Delete ${name}?`} className="inline-flex flex-wrap items-center gap-2">
            <span>Delete this alert?</span>
            <button
              type="button"
              className="btn-danger px-3 py-1"
              data-testid="alert-delete-confirm"
              disabled={pending}
              autoFocus
              onClick={() => void run(onDelete, 'Alert deleted')}
            >
              Delete
            </button>
            <button type="button" className="btn-secondary px-3 py-1" disabled={pending} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="btn-secondary px-3 py-1"
            data-testid="alert-delete"
            disabled={pending}
            aria-label={`Delete ${name}`}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        )}
      </div>
    </li>
  );
}
