'use client';
import { useEffect } from 'react';
import { marketInfo } from '@/components/market/market-info-store';
import { useSocket } from '@/components/realtime/socket-provider';
import { listenForBacklog } from './backlog-notice';
import { describeHit } from '@/lib/alerts/format';
import type { AlertHit } from '@/lib/realtime/events';
import { showHitToast, showReplaySummary } from './alert-toast';
import { shouldNotifyBrowser, showBrowserNotification } from './browser-notifications';
import { firstSighting, publishAlertHit } from './hit-bus';
import { noteHit, watchUnseen } from './unseen-hits';
import { refreshUnread } from './unread-store';

/** Replayed hits come in a burst on connect; the burst is over after this long without one. */
const REPLAY_BURST_MS = 300;
/** Replayed hits shown one by one, at most; more become one summary toast beside them. */
const REPLAY_TOASTS_MAX = 2;
/** How long a hit waits for the window length before it is named without one. */
const WINDOW_WAIT_MS = 5_000;

/**
 * The page's one listener of `alert:hit` (mounted once, in the header): shares each new hit with
 * the alert list and the inbox, refreshes the unread count, counts it in the tab title while
 * unseen, acknowledges it so the server counts it as delivered, and shows it as a toast (and as a
 * system notification when the tab is hidden and the user opted in) once the page's market info
 * says which window it was on.
 */
export function AlertNotifier() {
  const { socket } = useSocket();

  useEffect(() => (socket ? listenForBacklog(socket) : undefined), [socket]);

  useEffect(() => watchUnseen(), []);

  useEffect(() => {
    if (!socket) return;
    let replays: AlertHit[] = [];
    let burst: ReturnType<typeof setTimeout> | undefined;
    const flushReplays = () => {
      const hits = replays;
      replays = [];
      void announce(hits);
    };
    const onHit = (hit: AlertHit, ack: (received?: boolean) => void) => {
      try {
        if (typeof hit.notificationId !== 'number' || !firstSighting(hit.notificationId)) return;
        publishAlertHit(hit);
        refreshUnread();
        noteHit();
        if (!hit.replayed) return void announce([hit]);
        replays.push(hit);
        clearTimeout(burst);
        burst = setTimeout(flushReplays, REPLAY_BURST_MS);
      } finally {
        ack(true);
      }
    };
    socket.on('alert:hit', onHit);
    return () => {
      socket.off('alert:hit', onHit);
      clearTimeout(burst);
    };
  }, [socket]);

  return null;
}

/** Toasts `hits` (oldest first): a replayed burst over the limit shows its newest and a summary. */
async function announce(hits: readonly AlertHit[]): Promise<void> {
  const windowMs = await knownWindow();
  const shown = hits.length > REPLAY_TOASTS_MAX ? hits.slice(-(REPLAY_TOASTS_MAX - 1)) : hits;
  if (shown.length < hits.length) showReplaySummary(hits.length - shown.length);
  for (const hit of shown) {
    showHitToast(hit, windowMs);
    if (shouldNotifyBrowser()) {
      const text = describeHit(hit, windowMs, Date.now());
      showBrowserNotification(
        hit.replayed ? 'Tickwatch alert (while you were away)' : 'Tickwatch alert',
        hit.alert.note ? `${text}\n${hit.alert.note}` : text,
        `alert-hit-${hit.notificationId}`,
      );
    }
  }
}

/** The server's window once the market info is in (or failed, or `WINDOW_WAIT_MS` passed: `null`). */
async function knownWindow(): Promise<number | null> {
  const current = marketInfo.getSnapshot();
  if (current.status !== 'loading') return current.windowMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), WINDOW_WAIT_MS);
  });
  const state = await Promise.race([marketInfo.settled(), late]);
  clearTimeout(timer);
  return state?.windowMs ?? null;
}
