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

/**
 * A y-axis domain fitted to the plotted values with 8% padding above and below; a flat series gets
 * a small band around its value so its line sits mid-chart. `null` without finite values.
 */
export function yDomain(rows: readonly PlotRow[], keys: readonly ('last' | 'mean' | 'vwap')[]): [number, number] | null {
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
  const pad = span > 0 ? span * 0.08 : Math.max(Math.abs(max) * 0.001, 1e-8);
  return [min - pad, max + pad];
}

/** Decimals for y-axis labels, enough to tell ticks over `span` apart (0 to 8). */
export function axisDecimals(span: number): number {
  if (!(span > 0)) return 2;
  return Math.min(8, Math.max(0, Math.ceil(-Math.log10(span)) + 2));
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
