'use client';
import { useState, useSyncExternalStore } from 'react';

/**
 * The "Browser notifications" opt-in: remembered in localStorage, effective only while the
 * browser grants permission. Hits then also raise a system notification when the tab is hidden.
 */
const STORAGE_KEY = 'tickwatch.browserNotifications';

export type BrowserNotificationState = 'unsupported' | 'blocked' | 'off' | 'on';

const listeners = new Set<() => void>();

function readState(): BrowserNotificationState {
  if (typeof window === 'undefined' || typeof window.Notification === 'undefined') return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  let stored: string | null = null;
  try {
    stored = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  return stored === 'on' && Notification.permission === 'granted' ? 'on' : 'off';
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

function remember(on: boolean): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Storage may be disabled; the choice then lasts for this page only.
  }
  for (const listener of [...listeners]) listener();
}

/** Whether a hit should also raise a system notification now (opted in, permitted, tab hidden). */
export function shouldNotifyBrowser(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden' && readState() === 'on';
}

/** Raises a system notification; some browsers (mobile) refuse outside a service worker. */
export function showBrowserNotification(title: string, body: string, tag: string): void {
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Not available here; the toast and the inbox still have it.
  }
}

/** The opt-in checkbox; asks for permission when turned on. */
export function BrowserNotificationsToggle() {
  const state = useSyncExternalStore(subscribe, readState, () => 'unsupported' as const);
  const [asking, setAsking] = useState(false);

  async function onChange(on: boolean) {
    if (!on) return remember(false);
    setAsking(true);
    const permission = await Notification.requestPermission().catch(() => 'denied' as const);
    setAsking(false);
    remember(permission === 'granted');
  }

  const hint =
    state === 'unsupported'
      ? 'This browser cannot show notifications.'
      : state === 'blocked'
        ? 'Notifications are blocked for this site in the browser settings.'
        : 'Also notify me through the system when this tab is in the background.';

  return (
    <div className="text-sm">
      <label className="inline-flex items-center gap-2 font-medium">
        <input
          type="checkbox"
          data-testid="browser-notifications"
          checked={state === 'on'}
          disabled={asking || state === 'unsupported' || state === 'blocked'}
          aria-describedby="browser-notifications-hint"
          onChange={(event) => void onChange(event.currentTarget.checked)}
        />
        Browser notifications
      </label>
      <p id="browser-notifications-hint" className="mt-0.5 text-xs text-slate-500 dark:text-slate-400">
        {hint}
      </p>
    </div>
  );
}
