'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect } from 'react';
import { refreshUnread, useUnreadCount } from '@/components/alerts/unread-store';
import { useSocket } from '@/components/realtime/socket-provider';

/** The header's "Inbox" link with the number of unread notifications (no badge when there are none). */
export function InboxLink() {
  const { socket } = useSocket();
  const unread = useUnreadCount();
  const current = usePathname() === '/inbox';

  useEffect(() => {
    refreshUnread();
    if (!socket) return;
    // Notifications may have fired while the connection was down.
    socket.on('connect', refreshUnread);
    return () => {
      socket.off('connect', refreshUnread);
    };
  }, [socket]);

  const count = unread ?? 0;
  return (
    <Link
      href="/inbox"
      aria-current={current ? 'page' : undefined}
      aria-label={count > 0 ? `Inbox, ${count} unread` : 'Inbox'}
      className="inline-flex items-center gap-1.5 hover:text-sky-600"
    >
      Inbox
      {count > 0 && (
        <span
          data-testid="unread-count"
          data-count={count}
          className="min-w-5 rounded-full bg-sky-600 px-1.5 text-center text-xs leading-5 font-semibold text-white tabular-nums"
        >
          {count > 99 ? '99+' : count}
        </span>
      )}
    </Link>
  );
}
