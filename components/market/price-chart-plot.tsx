'use client';
import { Line, LineChart, ReferenceLine, Tooltip, type TooltipContentProps, XAxis, YAxis } from 'recharts';
import { LINE_COLORS, type PlotRow, type YAxisLayout, formatAxisPrice } from '@/lib/market/chart';
import { formatAverage, formatPrice } from '@/lib/market/decimal';
import { formatAxisTime, formatClock, timeTicks } from '@/lib/market/time';

export interface PriceChartPlotProps {
  rows: readonly PlotRow[];
  /** The y axis, fitted to the shown lines. */
  yAxis: YAxisLayout | null;
  averageLabel: string;
  showVwap: boolean;
  /** Decimal places for averages in the tooltip. */
  decimals: number;
  /** Horizontal dashed lines, e.g. the thresholds of armed alerts (those off the y axis are not drawn). */
  thresholds?: readonly ChartThreshold[] | undefined;
}

export interface ChartThreshold {
  id: string;
  /** The price, for plotting only. */
  value: number;
  /** Short text drawn by the line, e.g. "above 67,000.00". */
  label: string;
  color: string;
}

const AXIS_TICK = { fill: 'currentColor', fontSize: 12 };
// Threshold labels take turns at the corners, so lines close together keep readable labels.
const LABEL_POSITIONS = ['insideBottomRight', 'insideTopLeft', 'insideTopRight', 'insideBottomLeft'] as const;

/**
 * The recharts drawing of the price chart (its own chunk: the library is most of the dashboard's
 * script). No animation, so bursts of ticks redraw at once.
 */
export default function PriceChartPlot({ rows, yAxis, averageLabel, showVwap, decimals, thresholds = [] }: PriceChartPlotProps) {
  const { ticks, seconds } = timeTicks(rows[0]?.x ?? 0, rows[rows.length - 1]?.x ?? 0);
  return (
    <LineChart
      responsive
      accessibilityLayer={false}
      style={{ width: '100%', height: '100%' }}
      data={rows}
      margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
    >
      <XAxis
        dataKey="x"
        type="number"
        scale="time"
        domain={['dataMin', 'dataMax']}
        ticks={ticks}
        tickFormatter={(ms: number) => formatAxisTime(ms, seconds)}
        tick={AXIS_TICK}
        stroke="currentColor"
      />
      <YAxis
        type="number"
        domain={yAxis?.domain ?? ['auto', 'auto']}
        ticks={yAxis?.ticks}
        allowDataOverflow
        width="auto"
        tickFormatter={(v: number) => formatAxisPrice(v, yAxis?.decimals ?? 2)}
        tick={AXIS_TICK}
        stroke="currentColor"
      />
      <Tooltip isAnimationActive={false} content={(props: TooltipContentProps) => renderTooltip(props, averageLabel, showVwap, decimals)} />
      {showVwap && (
        <Line type="linear" dataKey="vwap" name="VWAP" stroke={LINE_COLORS.vwap} strokeDasharray="4 3" dot={false} isAnimationActive={false} />
      )}
      <Line type="linear" dataKey="mean" name={averageLabel} stroke={LINE_COLORS.mean} strokeWidth={2} dot={false} isAnimationActive={false} />
      <Line type="linear" dataKey="last" name="Last price" stroke={LINE_COLORS.last} strokeWidth={1.5} dot={false} isAnimationActive={false} />
      {thresholds.map((t, i) => (
        <ReferenceLine
          key={t.id}
          y={t.value}
          stroke={t.color}
          strokeDasharray="6 4"
          ifOverflow="discard"
          label={{ value: t.label, position: LABEL_POSITIONS[i % LABEL_POSITIONS.length], fill: t.color, fontSize: 11 }}
        />
      ))}
    </LineChart>
  );
}

function renderTooltip(props: TooltipContentProps, averageLabel: string, showVwap: boolean, decimals: number) {
  const row = props.active ? (props.payload[0]?.payload as PlotRow | undefined) : undefined;
  if (!row) return null;
  const { point } = row;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs text-slate-800 shadow-sm dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
      <p className="font-medium">{formatClock(point.t / 1000)}</p>
      <p>Last {formatPrice(point.last)}</p>
      <p>
        {averageLabel} {formatAverage(point.mean, decimals)}
      </p>
      {showVwap && <p>VWAP {formatAverage(point.vwap, decimals)}</p>}
    </div>
  );
}
