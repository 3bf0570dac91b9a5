'use client';
import Link from 'next/link';
import { useEffect } from 'react';
import { toast } from 'sonner';
import { useSocket } from '@/components/realtime/socket-provider';
import { listenForBacklog } from './backlog-notice';
import { describeHit } from '@/lib/alerts/format';
import type { AlertHit } from '@/lib/realtime/events';
import { shouldNotifyBrowser, showBrowserNotification } from './browser-notifications';
import { firstSighting, publishAlertHit } from './hit-bus';
import { refreshUnread } from './unread-store';
import { currentWindowMs } from './window-store';

const LIVE_TOAST_MS = 10_000;
const REPLAYED_TOAST_MS = 20_000;

/**
 * The page's one listener of `alert:hit` (mounted once, in the header): shows each hit once as a
 * toast (and as a system notification when the tab is hidden and the user opted in), shares it
 * with the alert list and the inbox, refreshes the unread count, then acknowledges it so the
 * server counts it as delivered.
 */
export function AlertNotifier() {
  const { socket } = useSocket();

  useEffect(() => (socket ? listenForBacklog(socket) : undefined), [socket]);

  useEffect(() => {
    if (!socket) return;
    const onHit = (hit: AlertHit, ack: (received?: boolean) => void) => {
      try {
        if (typeof hit.notificationId === 'number' && firstSighting(hit.notificationId)) {
          announce(hit);
          publishAlertHit(hit);
          refreshUnread();
        }
      } finally {
        ack(true);
      }
    };
    socket.on('alert:hit', onHit);
    return () => {
      socket.off('alert:hit', onHit);
    };
  }, [socket]);

  return null;
}

function announce(hit: AlertHit): void {
  const text = describeHit(hit, currentWindowMs());
  toast.info(<AlertToast text={text} hit={hit} />, {
    id: `alert-hit-${hit.notificationId}`,
    duration: hit.replayed ? REPLAYED_TOAST_MS : LIVE_TOAST_MS,
  });
  if (shouldNotifyBrowser()) {
    showBrowserNotification(
      hit.replayed ? 'Tickwatch alert (while you were away)' : 'Tickwatch alert',
      hit.alert.note ? `${text}\n${hit.alert.note}` : text,
      `alert-hit-${hit.notificationId}`,
    );
  }
}

function AlertToast({ text, hit }: { text: string; hit: AlertHit }) {
  return (
    <div data-testid="alert-toast" data-notification-id={hit.notificationId} data-replayed={hit.replayed ? 'true' : 'false'}>
      <p className="font-medium">{text}</p>
      {hit.replayed && <p className="text-xs">Fired while you were away.</p>}
      {hit.alert.note && <p className="mt-0.5 text-xs break-words">{hit.alert.note}</p>}
      <Link href="/inbox" className="mt-1 inline-block text-xs underline">
        Open inbox
      </Link>
    </div>
  );
}
