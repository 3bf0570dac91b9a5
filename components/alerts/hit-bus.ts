/**
 * The page's alert hits, each once: the notifier publishes every new `alert:hit` (deduped by
 * notification id, after toasting it) and the alert list and the inbox follow them here, so no
 * one else listens to the socket event or acknowledges it.
 */
import type { AlertHit } from '@/lib/realtime/events';

type Listener = (hit: AlertHit) => void;
const listeners = new Set<Listener>();

/** Calls `listener` with every new hit until the returned function is called. */
export function onAlertHit(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function publishAlertHit(hit: AlertHit): void {
  for (const listener of [...listeners]) listener(hit);
}

const SEEN_MAX = 2_000;
const seen = new Set<number>();

/** True the first time a notification id is seen on this page (live and replayed copies are one hit). */
export function firstSighting(notificationId: number): boolean {
  if (seen.has(notificationId)) return false;
  seen.add(notificationId);
  if (seen.size > SEEN_MAX) {
    const oldest = seen.values().next();
    if (!oldest.done) seen.delete(oldest.value);
  }
  return true;
}
