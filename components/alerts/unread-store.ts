/**
 * The number of unread notifications, shared by the header badge and the inbox: read from the
 * server (never guessed), again after each hit and after marking read. Refreshes are coalesced:
 * one request at a time, plus one more if asked for meanwhile.
 */
import { useSyncExternalStore } from 'react';
import { callApi, notificationsOf } from './api';

let unread: number | null = null;
const listeners = new Set<() => void>();
let inFlight = false;
let again = false;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function setUnread(count: number): void {
  if (count === unread) return;
  unread = count;
  for (const listener of [...listeners]) listener();
}

/** Asks the server for the count; errors leave the last known count in place. */
export function refreshUnread(): void {
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  callApi('/api/notifications?unread=1&limit=1')
    .then((result) => {
      const parsed = result.ok ? notificationsOf(result.body) : null;
      if (parsed) setUnread(parsed.unread);
    })
    .catch(() => undefined)
    .finally(() => {
      inFlight = false;
      if (again) {
        again = false;
        refreshUnread();
      }
    });
}

/** The unread count, `null` until first known. */
export function useUnreadCount(): number | null {
  return useSyncExternalStore(
    subscribe,
    () => unread,
    () => null,
  );
}
