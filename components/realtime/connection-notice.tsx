'use client';
import type { ConnectionLoss } from '@/lib/realtime/connection';

/** Says that the page itself is cut off from the server (not the exchange feed), and since when. */
export function ConnectionNotice({ loss }: { loss: ConnectionLoss }) {
  return (
    <div
      role="status"
      data-testid="connection-lost"
      className="flex gap-2 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <svg viewBox="0 0 16 16" className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true">
        <path d="M2 6.5a9 9 0 0 1 12 0M4.5 9a5.5 5.5 0 0 1 7 0M7 11.5a2 2 0 0 1 2 0M2 2l12 12" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
      </svg>
      <p>
        <span className="font-semibold">{loss.headline}.</span> {loss.detail}
      </p>
    </div>
  );
}
