'use client';
import { describeNotification, formatDateTime } from '@/lib/alerts/format';
import type { Notification } from '@/lib/alerts/notification';

export interface InboxRowProps {
  notification: Notification;
  /** The server's window; `null` when it could not be loaded (the words then name none). */
  windowMs: number | null;
  pending: boolean;
  onMarkRead: (id: number) => void;
}

/** One fired alert: what was watched, the value and trade that crossed it, and when. */
export function InboxRow({ notification: n, windowMs, pending, onMarkRead }: InboxRowProps) {
  const unread = n.readAt === null;
  const { headline, detail } = describeNotification(n, windowMs);
  return (
    <li
      data-testid="inbox-item"
      data-notification-id={n.id}
      data-unread={unread ? 'true' : 'false'}
      className={`flex flex-wrap items-start gap-3 border-l-4 px-4 py-3 text-sm ${
        unread ? 'border-sky-500 bg-sky-50 dark:bg-sky-950/40' : 'border-transparent'
      }`}
    >
      <div className="min-w-0 flex-1 space-y-1">
        <p className="flex flex-wrap items-center gap-2">
          <span className={unread ? 'font-semibold' : 'font-medium'}>{headline}</span>
          {unread && <span className="rounded-full bg-sky-600 px-2 py-0.5 text-xs font-medium text-white">Unread</span>}
          {n.alertId === null && <span className="text-xs text-slate-500">(alert deleted)</span>}
        </p>
        <p className="text-slate-700 dark:text-slate-300">{detail}</p>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Fired {formatDateTime(n.firedAt)}
          {n.arming > 1 ? ` · firing ${n.arming} of this alert` : ''}
        </p>
      </div>
      {unread && (
        <button
          type="button"
          className="btn-secondary px-3 py-1"
          data-testid="inbox-mark-read"
          disabled={pending}
          aria-label={`Mark as read: ${headline}, fired ${formatDateTime(n.firedAt)}`}
          onClick={() => onMarkRead(n.id)}
        >
          Mark as read
        </button>
      )}
    </li>
  );
}
