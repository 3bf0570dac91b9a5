/**
 * The shape every benchmark scenario reports in, so `npm run bench` can print one table, write
 * bench/results.json and draw the charts of docs/performance.md from the same numbers.
 */

/** One measured figure, with the baseline it was measured beside in the same run. */
export interface ResultRow {
  /** What was measured, e.g. "engine throughput (trades/s of CPU)". */
  metric: string;
  /** Median of the runs. */
  value: number;
  unit: string;
  /** The baseline measured side by side, when the figure has one. */
  baseline?: { name: string; value: number };
  /** value / baseline.value (or the inverse, as `ratioLabel` says). */
  ratio?: number;
  ratioLabel?: string;
  /** The bar from the issue: passes when `value <op> bar.value`. */
  bar?: { op: '<' | '<=' | '>' | '>='; value: number };
  /** Each run's value, for the spread. */
  runs?: number[];
  note?: string;
}

/** A chart the runner renders to SVG: grouped horizontal bars. */
export interface ChartSpec {
  /** File name under docs/images/bench/, without extension. */
  id: string;
  title: string;
  unit: string;
  /** Log scale, for values spanning orders of magnitude. */
  log?: boolean;
  bars: Array<{ label: string; value: number; series?: string }>;
}

export interface ScenarioResult {
  id: string;
  title: string;
  rows: ResultRow[];
  charts?: ChartSpec[];
  /** Conditions the reader needs beside the numbers (cores shared, sizes in smoke mode...). */
  notes?: string[];
}

export interface ScenarioOptions {
  /** A short run that proves the scenario still works (CI); numbers are not meaningful. */
  smoke: boolean;
  log: (line: string) => void;
}

/** Prefix of the stdout line that carries a scenario process's result (see bench/run-scenario.ts). */
export const RESULT_MARKER = '@@bench-result ';

export type Scenario = (options: ScenarioOptions) => Promise<ScenarioResult>;

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function passes(row: ResultRow): boolean | undefined {
  if (!row.bar) return undefined;
  const { op, value } = row.bar;
  if (op === '<') return row.value < value;
  if (op === '<=') return row.value <= value;
  if (op === '>') return row.value > value;
  return row.value >= value;
}
