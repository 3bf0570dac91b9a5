'use client';
import { type ReactNode, createContext, useContext, useMemo } from 'react';
import { type MarketView, useMarket } from '@/components/market/use-market';
import { type AlertList, useAlertList } from './use-alert-list';

export interface DashboardAlerts extends AlertList {
  /** The server's window length, for "10-min average". */
  windowMs: number;
}

const MarketContext = createContext<MarketView | null>(null);
const AlertsContext = createContext<DashboardAlerts | null>(null);

/**
 * The dashboard's shared state: the market (one `useMarket`, so one price subscription, read by the
 * market panel and the alert form) and the user's alerts (read by the list, the form and the chart).
 * Two contexts, so the alert list does not redraw on every price tick.
 */
export function AlertsDashboardProvider({ children }: { children: ReactNode }) {
  const market = useMarket();
  const list = useAlertList();
  const { windowMs } = market;
  const alerts = useMemo(() => ({ ...list, windowMs }), [list, windowMs]);
  return (
    <MarketContext.Provider value={market}>
      <AlertsContext.Provider value={alerts}>{children}</AlertsContext.Provider>
    </MarketContext.Provider>
  );
}

export function useDashboardMarket(): MarketView {
  const market = useContext(MarketContext);
  if (!market) throw new Error('useDashboardMarket needs an AlertsDashboardProvider around it');
  return market;
}

export function useDashboardAlerts(): DashboardAlerts {
  const alerts = useContext(AlertsContext);
  if (!alerts) throw new Error('useDashboardAlerts needs an AlertsDashboardProvider around it');
  return alerts;
}
