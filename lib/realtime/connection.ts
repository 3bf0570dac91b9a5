/**
 * What the page says about its own connection to the Tickwatch server, apart from the exchange
 * feed's state: while the socket is down or the device is offline, the prices, feed state and
 * alerts on the page stop updating, and the page says so and how old they are.
 */
import { type TimeFormatOptions, formatClock, formatDuration } from '../market/time.ts';

export interface PageConnection {
  /** The Socket.IO connection's state, as the page's socket provider tracks it. */
  state: 'connecting' | 'connected' | 'reconnecting' | 'signed-out';
  /** `navigator.onLine`. */
  online: boolean;
  /**
   * Epoch milliseconds at which the page last lost its connection (the socket dropped or failed
   * to connect, or the device went offline); `null` while connected, and during the first
   * connection attempt of a page, which has shown nothing live yet.
   */
  lostAtMs: number | null;
}

export interface ConnectionLoss {
  /** "You are offline" or "No connection to the Tickwatch server". */
  headline: string;
  /** "as of 12:44:20, 2 min ago": the time the page last had its connection. */
  asOf: string | null;
  /** What that means for the page, in a sentence. */
  detail: string;
}

/**
 * Whether and how the page is cut off from the server at `nowMs`; `null` when it is not (or when
 * it signed out, and is leaving). A device that reports itself offline counts as cut off even
 * while the socket has not noticed yet.
 */
export function describeConnectionLoss(c: PageConnection, nowMs: number, options: TimeFormatOptions = {}): ConnectionLoss | null {
  if (c.state === 'signed-out') return null;
  if (c.online && (c.state === 'connected' || c.lostAtMs === null)) return null;
  const asOf = c.lostAtMs === null ? null : `as of ${formatClock(c.lostAtMs, options)}, ${ago(nowMs - c.lostAtMs)}`;
  const shown = asOf ? `The prices, feed state and alerts on this page are ${asOf}.` : 'The prices, feed state and alerts on this page are not live.';
  const next = c.online
    ? 'Reconnecting by itself; alerts that fire meanwhile are shown once it is back.'
    : 'It reconnects once the device is back online; alerts that fire meanwhile are shown then.';
  return { headline: c.online ? 'No connection to the Tickwatch server' : 'You are offline', asOf, detail: `${shown} ${next}` };
}

function ago(ms: number): string {
  return ms < 1000 ? 'just now' : `${formatDuration(ms)} ago`;
}
