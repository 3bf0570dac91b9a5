'use client';
import { useMemo } from 'react';
import { MarketPanel } from '@/components/market/market-panel';
import type { ChartThreshold } from '@/components/market/price-chart';
import { describeCondition } from '@/lib/alerts/format';
import { toPlotNumber } from '@/lib/market/decimal';
import { useDashboardAlerts, useDashboardMarket } from './dashboard-context';

const THRESHOLD_COLORS = { above: '#16a34a', below: '#dc2626' } as const;

/** The market panel of the dashboard, with the shown product's armed alerts as dashed lines. */
export function AlertMarketPanel() {
  const market = useDashboardMarket();
  const { alerts } = useDashboardAlerts();
  const { product } = market;
  const thresholds = useMemo<ChartThreshold[]>(
    () =>
      alerts
        .filter((a) => a.status === 'armed' && a.product === product)
        .sort((a, b) => toPlotNumber(b.threshold) - toPlotNumber(a.threshold))
        .map((a) => ({ id: a.id, value: toPlotNumber(a.threshold), label: describeCondition(a.direction, a.threshold), color: THRESHOLD_COLORS[a.direction] })),
    [alerts, product],
  );
  return <MarketPanel market={market} thresholds={thresholds} />;
}
