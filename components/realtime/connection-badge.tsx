'use client';
import { useSocket } from './socket-provider';

const LABEL = {
  connecting: ['Connecting…', 'bg-amber-400'],
  connected: ['Live connection', 'bg-emerald-500'],
  reconnecting: ['Reconnecting…', 'bg-amber-400'],
  'signed-out': ['Signed out', 'bg-slate-400'],
} as const;

/** Shows whether this page's realtime connection is up. */
export function ConnectionBadge() {
  const { state } = useSocket();
  const [label, dot] = LABEL[state];
  return (
    <span data-testid="connection-state" data-state={state} className="inline-flex items-center gap-2 text-xs text-slate-500" aria-live="polite">
      <span className={`inline-block h-2 w-2 rounded-full ${dot}`} aria-hidden="true" />
      {label}
    </span>
  );
}
