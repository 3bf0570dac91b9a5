/** Numbers for drawing the chart. Only the plot uses them; every displayed value is a string. */
import { toPlotNumber } from './decimal.ts';
import type { MarketPoint } from './series.ts';

/** Line colours, shared by the plot and its legend. */
export const LINE_COLORS = { last: '#0284c7', mean: '#d97706', vwap: '#7c3aed' } as const;

export interface PlotRow {
  /** Epoch milliseconds. */
  x: number;
  last: number;
  mean: number;
  vwap: number;
  point: MarketPoint;
}

export function toPlotRows(points: readonly MarketPoint[]): PlotRow[] {
  return points.map((point) => ({
    x: point.t / 1000,
    last: toPlotNumber(point.last),
    mean: toPlotNumber(point.mean),
    vwap: toPlotNumber(point.vwap),
    point,
  }));
}

export interface YAxisLayout {
  domain: [number, number];
  /** Round-valued ticks spanning the domain. */
  ticks: number[];
  /** Decimal places the tick labels need. */
  decimals: number;
}

/** A round step (1, 2 or 5 times a power of ten) near `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const unit = rough / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

/**
 * A y axis fitted to the plotted values: about `tickCount` round ticks, the domain padded beyond the
 * data by at least 5% of its span and ending on a tick; a flat series gets a small band around its
 * value so its line sits mid-chart. `null` without finite values.
 */
export function yAxisLayout(
  rows: readonly PlotRow[],
  keys: readonly ('last' | 'mean' | 'vwap')[],
  tickCount = 5,
): YAxisLayout | null {
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    for (const key of keys) {
      const v = row[key];
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  if (min > max) return null;
  const span = max - min;
  const pad = span > 0 ? span * 0.05 : Math.max(Math.abs(max) * 0.0005, 1e-8);
  const step = niceStep((span + 2 * pad) / Math.max(1, tickCount - 1));
  const lo = Math.floor((min - pad) / step) * step;
  const hi = Math.ceil((max + pad) / step) * step;
  const decimals = Math.min(8, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step / 2; i += 1) ticks.push(Number((lo + i * step).toFixed(decimals)));
  return { domain: [lo, hi], ticks, decimals };
}

const axisFormats = new Map<number, Intl.NumberFormat>();

/** A y-axis label: grouped digits, `decimals` places. */
export function formatAxisPrice(value: number, decimals: number): string {
  let format = axisFormats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    axisFormats.set(decimals, format);
  }
  return format.format(value);
}
