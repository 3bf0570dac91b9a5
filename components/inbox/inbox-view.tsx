'use client';
import { useCallback, useEffect, useReducer, useState } from 'react';
import { toast } from 'sonner';
import { callApi, notificationsOf, problemOf } from '@/components/alerts/api';
import { BrowserNotificationsToggle } from '@/components/alerts/browser-notifications';
import { onAlertHit } from '@/components/alerts/hit-bus';
import { refreshUnread, setUnread, useUnreadCount } from '@/components/alerts/unread-store';
import { useMarketInfo } from '@/components/market/market-info-store';
import { useSocket } from '@/components/realtime/socket-provider';
import { InboxRow } from './inbox-row';
import { type InboxState, INITIAL_INBOX, PAGE_SIZE, reduceInbox } from './inbox-state';

/** Marks every unread notification read, a batch at a time (the API takes ids). */
async function markAllRead(): Promise<string | null> {
  for (let round = 0; round < 50; round += 1) {
    const page = await callApi('/api/notifications?unread=1&limit=200');
    const parsed = page.ok ? notificationsOf(page.body) : null;
    if (!parsed) return page.ok ? 'The notifications from the server could not be read.' : problemOf(page).message;
    if (parsed.notifications.length === 0) return null;
    const marked = await callApi('/api/notifications/read', { method: 'POST', body: { ids: parsed.notifications.map((n) => n.id) } });
    if (!marked.ok) return problemOf(marked).message;
  }
  return null;
}

/**
 * The inbox: every fired alert, newest first, paged with "Load older"; new ones appear as they
 * fire. Read state is the server's (marking read is persisted), separate from delivery.
 */
export function InboxView() {
  const { socket } = useSocket();
  const market = useMarketInfo();
  const unread = useUnreadCount();
  const [state, dispatch] = useReducer(reduceInbox, INITIAL_INBOX);
  const [headEpoch, setHeadEpoch] = useState(0);
  const [markingAll, setMarkingAll] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    callApi(`/api/notifications?limit=${PAGE_SIZE}`, { signal: controller.signal }).then(
      (result) => {
        const parsed = result.ok ? notificationsOf(result.body) : null;
        if (!parsed) {
          dispatch({ type: 'failed', error: result.ok ? 'The notifications from the server could not be read.' : problemOf(result).message });
          return;
        }
        dispatch({ type: 'head', notifications: parsed.notifications });
        setUnread(parsed.unread);
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [headEpoch]);

  // New hits, and whatever fired while the connection was down, show up at the top.
  useEffect(() => onAlertHit(() => setHeadEpoch((n) => n + 1)), []);
  useEffect(() => {
    if (!socket) return;
    const onConnect = () => setHeadEpoch((n) => n + 1);
    socket.on('connect', onConnect);
    return () => {
      socket.off('connect', onConnect);
    };
  }, [socket]);

  const loadOlder = useCallback(async (before: number) => {
    dispatch({ type: 'olderLoading' });
    const result = await callApi(`/api/notifications?limit=${PAGE_SIZE}&before=${before}`);
    const parsed = result.ok ? notificationsOf(result.body) : null;
    if (!parsed) {
      dispatch({ type: 'olderFailed', error: result.ok ? 'The notifications from the server could not be read.' : problemOf(result).message });
      return;
    }
    dispatch({ type: 'older', notifications: parsed.notifications });
    setUnread(parsed.unread);
  }, []);

  const markRead = useCallback(async (id: number) => {
    dispatch({ type: 'marking', ids: [id], on: true });
    const result = await callApi('/api/notifications/read', { method: 'POST', body: { ids: [id] } });
    dispatch({ type: 'marking', ids: [id], on: false });
    if (!result.ok) return void toast.error(problemOf(result).message);
    dispatch({ type: 'read', ids: [id], at: new Date().toISOString() });
    refreshUnread();
  }, []);

  async function onMarkAll() {
    setMarkingAll(true);
    const problem = await markAllRead();
    setMarkingAll(false);
    if (problem) toast.error(problem);
    else dispatch({ type: 'read', ids: null, at: new Date().toISOString() });
    refreshUnread();
  }

  const oldest = state.items[state.items.length - 1];
  // The rows name the window: they wait for it (or for its load to fail, and then name none).
  const shown = market.status === 'loading' ? INITIAL_INBOX : state;
  const anyUnread = (unread ?? 0) > 0 || state.items.some((n) => n.readAt === null);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-4">
        <h1 className="text-2xl font-semibold">Inbox</h1>
        <span className="text-sm text-slate-500" data-testid="inbox-unread">
          {unread === null ? '' : unread === 0 ? 'All read' : `${unread} unread`}
        </span>
        <button
          type="button"
          className="btn-secondary ml-auto"
          data-testid="inbox-mark-all-read"
          disabled={markingAll || !anyUnread}
          onClick={() => void onMarkAll()}
        >
          {markingAll ? 'Marking…' : 'Mark all as read'}
        </button>
      </div>
      <BrowserNotificationsToggle />
      <InboxBody state={shown} windowMs={market.windowMs} onMarkRead={(id) => void markRead(id)} onRetry={() => setHeadEpoch((n) => n + 1)} />
      {state.status === 'ready' && state.hasMore && oldest && (
        <div className="flex flex-wrap items-center gap-3">
          <button
            type="button"
            className="btn-secondary"
            data-testid="inbox-load-older"
            disabled={state.loadingOlder}
            onClick={() => void loadOlder(oldest.id)}
          >
            {state.loadingOlder ? 'Loading…' : 'Load older'}
          </button>
          {state.olderError && (
            <span role="alert" className="text-sm text-red-700 dark:text-red-300">
              {state.olderError}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

function InboxBody({ state, windowMs, onMarkRead, onRetry }: { state: InboxState; windowMs: number | null; onMarkRead: (id: number) => void; onRetry: () => void }) {
  if (state.status === 'loading') return <p className="text-sm text-slate-500">Loading your notifications…</p>;
  if (state.status === 'error') {
    return (
      <div role="alert" className="flex flex-wrap items-center gap-3 text-sm text-red-700 dark:text-red-300">
        <span>The inbox could not be loaded: {state.error}</span>
        <button type="button" className="btn-secondary" onClick={onRetry}>
          Try again
        </button>
      </div>
    );
  }
  if (state.items.length === 0) {
    return (
      <p className="card text-sm text-slate-500" data-testid="inbox-empty">
        No alerts have fired yet. When one does, it is listed here with the trade that set it off.
      </p>
    );
  }
  return (
    <ul data-testid="inbox-list" aria-label="Notifications, newest first" className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
      {state.items.map((n) => (
        <InboxRow key={n.id} notification={n} windowMs={windowMs} pending={state.marking.has(n.id)} onMarkRead={onMarkRead} />
      ))}
    </ul>
  );
}
