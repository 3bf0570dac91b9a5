'use client';
import { useSocket } from './socket-provider';

const LABEL = {
  connecting: ['Connecting…', 'bg-amber-400'],
  connected: ['Live connection', 'bg-emerald-500'],
  reconnecting: ['Reconnecting…', 'bg-amber-400'],
  'signed-out': ['Signed out', 'bg-slate-400'],
} as const;

/** Shows whether this page's realtime connection is up (and when the device is offline, that). */
export function ConnectionBadge() {
  const { state, online } = useSocket();
  const [label, dot] = !online && state !== 'signed-out' ? (['Offline', 'bg-red-500'] as const) : LABEL[state];
  return (
    <span
      data-testid="connection-state"
      data-state={state}
      data-online={online ? 'true' : 'false'}
      className="inline-flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400"
      aria-live="polite"
    >
      <span className={`inline-block h-2 w-2 rounded-full ${dot}`} aria-hidden="true" />
      {label}
    </span>
  );
}
