'use client';
import { type ComponentType, useEffect, useMemo, useState } from 'react';
import { LINE_COLORS, toPlotRows, yAxisLayout } from '@/lib/market/chart';
import type { MarketPoint } from '@/lib/market/series';
import type { ChartThreshold, PriceChartPlotProps } from './price-chart-plot';
import { useThrottled } from './use-throttled';

export type { ChartThreshold } from './price-chart-plot';

export interface PriceChartProps {
  points: readonly MarketPoint[];
  /** The mean line's name, e.g. "10-min average". */
  averageLabel: string;
  showVwap: boolean;
  /** Decimal places for averages in the tooltip. */
  decimals: number;
  /** What the chart shows, in words, for screen readers (latest values included). */
  summary: string;
  /** Dashed horizontal lines, e.g. the thresholds of the product's armed alerts. */
  thresholds?: readonly ChartThreshold[] | undefined;
}

/** The chart redraws at most this often; the figures above it follow every tick. */
const CHART_REDRAW_MS = 1_000;

type Plot = ComponentType<PriceChartPlotProps>;

/**
 * The chart's drawing code (recharts), loaded after the page in its own chunk so the numbers show
 * without waiting for it. A failed load (the connection dropped meanwhile) leaves the rest of the
 * page working and is tried again when the browser is back online; `next/dynamic` would instead
 * throw it into the page's error boundary and take the whole dashboard down.
 */
function usePlot(): { Plot: Plot | null; failed: boolean } {
  const [state, setState] = useState<{ Plot: Plot | null; failed: boolean }>({ Plot: null, failed: false });
  useEffect(() => {
    let active = true;
    const load = () => {
      import('./price-chart-plot').then(
        (module) => active && setState({ Plot: module.default, failed: false }),
        () => active && setState({ Plot: null, failed: true }),
      );
    };
    load();
    window.addEventListener('online', load);
    return () => {
      active = false;
      window.removeEventListener('online', load);
    };
  }, []);
  return state;
}

/**
 * The price chart: last price and the window average, VWAP on request. Props only; never fetches.
 * The container carries the summary for screen readers and the number of points (`data-points`).
 */
export function PriceChart({ points, averageLabel, showVwap, decimals, summary, thresholds = [] }: PriceChartProps) {
  const { Plot, failed } = usePlot();
  const drawn = useThrottled(points, CHART_REDRAW_MS);
  const rows = useMemo(() => toPlotRows(drawn), [drawn]);
  const yAxis = useMemo(() => yAxisLayout(rows, showVwap ? ['last', 'mean', 'vwap'] : ['last', 'mean']), [rows, showVwap]);

  return (
    <figure className="m-0">
      <div role="img" aria-label={summary} data-testid="price-chart" data-points={points.length} className="h-72 w-full text-slate-500 dark:text-slate-400">
        {rows.length === 0 ? (
          <p className="flex h-full items-center justify-center text-sm">No trades to chart yet.</p>
        ) : Plot ? (
          <Plot rows={rows} yAxis={yAxis} averageLabel={averageLabel} showVwap={showVwap} decimals={decimals} thresholds={thresholds} />
        ) : (
          <p className="flex h-full items-center justify-center text-sm" data-testid="chart-loading">
            {failed ? 'The chart could not be loaded; it is tried again once the connection is back.' : 'Loading chart…'}
          </p>
        )}
      </div>
      <figcaption className="mt-2 flex flex-wrap gap-4 text-xs text-slate-600 dark:text-slate-300">
        <LegendItem color={LINE_COLORS.last} label="Last price" />
        <LegendItem color={LINE_COLORS.mean} label={averageLabel} />
        {showVwap && <LegendItem color={LINE_COLORS.vwap} label="VWAP" dashed />}
        {thresholds.length > 0 && (
          <span data-testid="chart-thresholds" data-count={thresholds.length}>
            <LegendItem color={THRESHOLD_LEGEND_COLOR} label={thresholdLegend(thresholds, yAxis?.domain)} dashed />
          </span>
        )}
      </figcaption>
    </figure>
  );
}

const THRESHOLD_LEGEND_COLOR = '#64748b';

/** "Alert thresholds", saying how many lie beyond the prices shown (those are not drawn). */
function thresholdLegend(thresholds: readonly ChartThreshold[], domain: [number, number] | undefined): string {
  const name = thresholds.length === 1 ? 'Alert threshold' : `${thresholds.length} alert thresholds`;
  const off = domain ? thresholds.filter((t) => t.value < domain[0] || t.value > domain[1]).length : 0;
  if (off === 0) return name;
  const which = off === thresholds.length ? (off === 1 ? '' : 'all ') : `${off} `;
  return `${name} (${which}beyond the prices shown)`;
}

function LegendItem({ color, label, dashed = false }: { color: string; label: string; dashed?: boolean }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      <svg width="18" height="6" aria-hidden="true">
        <line x1="0" y1="3" x2="18" y2="3" stroke={color} strokeWidth="2" strokeDasharray={dashed ? '4 3' : undefined} />
      </svg>
      {label}
    </span>
  );
}
