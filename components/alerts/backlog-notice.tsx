'use client';
import Link from 'next/link';
import { toast } from 'sonner';
import type { AppSocket } from '@/components/realtime/socket-provider';
import type { AlertBacklog } from '@/lib/realtime/events';
import { safeNextPath } from '@/lib/safe-next-path';
import { refreshUnread } from './unread-store';

const BACKLOG_TOAST_MS = 20_000;

/**
 * Listens for `alert:backlog`: hits the server did not send one by one (more than it replays on
 * a connect, or more than a user's firing budget at once) and that wait in the inbox. Shows one
 * toast with their number and a link to the inbox, refreshes the unread count, and acknowledges
 * the notice so the server counts them as delivered. Returns the function that stops listening.
 */
export function listenForBacklog(socket: AppSocket): () => void {
  const onBacklog = (notice: AlertBacklog, ack: (received?: boolean) => void) => {
    try {
      if (typeof notice?.undelivered !== 'number' || notice.undelivered < 1) return;
      showBacklogToast(notice);
      refreshUnread();
    } finally {
      ack(true);
    }
  };
  socket.on('alert:backlog', onBacklog);
  return () => {
    socket.off('alert:backlog', onBacklog);
  };
}

function showBacklogToast({ undelivered, inboxUrl, replayed }: AlertBacklog): void {
  const count = undelivered === 1 ? '1 more alert is' : `${undelivered.toLocaleString()} more alerts are`;
  toast(
    <div data-testid="alert-backlog-toast" data-count={undelivered} data-replayed={replayed ? 'true' : 'false'} className="space-y-0.5">
      <p className="font-semibold">{count} waiting in the inbox</p>
      <p className="text-xs">{replayed ? 'They fired while you were away.' : 'They fired at once, too many to show one by one.'}</p>
      <Link href={safeNextPath(inboxUrl, '/inbox')} className="text-xs underline">
        Open the inbox
      </Link>
    </div>,
    { id: `alert-backlog-${replayed ? 'replayed' : 'live'}`, duration: BACKLOG_TOAST_MS, className: 'alert-hit' },
  );
}
