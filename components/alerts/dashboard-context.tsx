'use client';
import { type ReactNode, createContext, useContext } from 'react';
import { type MarketView, useMarket } from '@/components/market/use-market';
import { type AlertList, useAlertList } from './use-alert-list';

const MarketContext = createContext<MarketView | null>(null);
const AlertsContext = createContext<AlertList | null>(null);

/**
 * The dashboard's shared state: the market (one `useMarket`, so one price subscription, read by the
 * market panel and the alert form) and the user's alerts (read by the list, the form and the chart).
 * Two contexts, so the alert list does not redraw on every price tick.
 */
export function AlertsDashboardProvider({ children }: { children: ReactNode }) {
  const market = useMarket();
  const alerts = useAlertList();
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

export function useDashboardAlerts(): AlertList {
  const alerts = useContext(AlertsContext);
  if (!alerts) throw new Error('useDashboardAlerts needs an AlertsDashboardProvider around it');
  return alerts;
}
