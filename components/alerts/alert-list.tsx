'use client';
import { useMarketInfo } from '@/components/market/market-info-store';
import { useDashboardAlerts } from './dashboard-context';
import { AlertItem } from './alert-item';

/**
 * The user's alerts, newest first, kept current by the server's events. Shown once the window
 * length is known too, so an alert is never named after a window it does not use.
 */
export function AlertList() {
  const { status, error, alerts, retry, remove, rearm } = useDashboardAlerts();
  const market = useMarketInfo();

  if (status === 'loading' || market.status === 'loading') return <p className="text-sm text-slate-500">Loading your alerts…</p>;
  if (status === 'error') {
    return (
      <div role="alert" className="flex flex-wrap items-center gap-3 text-sm text-red-700 dark:text-red-300">
        <span>Your alerts could not be loaded: {error}</span>
        <button type="button" className="btn-secondary" onClick={retry}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <div data-testid="alert-list" data-count={alerts.length}>
      {alerts.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="alerts-empty">
          You have no alerts yet.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Alerts">
          {alerts.map((alert) => (
            <AlertItem key={alert.id} alert={alert} windowMs={market.windowMs} onDelete={remove} onRearm={rearm} />
          ))}
        </ul>
      )}
    </div>
  );
}
