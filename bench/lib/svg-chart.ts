import type { ChartSpec } from './scenario.ts';

const WIDTH = 720;
const LABEL_WIDTH = 260;
const BAR_HEIGHT = 22;
const GAP = 8;
const TOP = 44;
const PALETTE = ['#2563eb', '#f97316', '#16a34a', '#9333ea', '#dc2626'];

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/**
 * A horizontal bar chart as a standalone SVG: one bar per entry, coloured by series, the value
 * printed at the bar's end. Log scale for figures that span orders of magnitude.
 */
export function renderBarChart(chart: ChartSpec): string {
  const series = [...new Set(chart.bars.map((b) => b.series ?? ''))];
  const max = Math.max(...chart.bars.map((b) => b.value), Number.MIN_VALUE);
  const min = Math.min(...chart.bars.map((b) => (b.value > 0 ? b.value : max)));
  const plot = WIDTH - LABEL_WIDTH - 170;
  const floor = chart.log ? Math.log10(min) - 0.5 : 0;
  const scale = (v: number): number => {
    if (v <= 0) return 0;
    if (!chart.log) return (v / max) * plot;
    return Math.max(2, ((Math.log10(v) - floor) / (Math.log10(max) - floor)) * plot);
  };
  const legend = series.length > 1 ? 22 : 0;
  const height = TOP + legend + chart.bars.length * (BAR_HEIGHT + GAP) + 16;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="600">${escape(chart.title)}</text>`,
  ];
  series.forEach((name, i) => {
    if (series.length < 2) return;
    parts.push(`<rect x="${12 + i * 150}" y="${TOP - 6}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`);
    parts.push(`<text x="${30 + i * 150}" y="${TOP + 5}">${escape(name)}</text>`);
  });
  chart.bars.forEach((bar, i) => {
    const y = TOP + legend + i * (BAR_HEIGHT + GAP);
    const w = scale(bar.value);
    const colour = PALETTE[series.indexOf(bar.series ?? '') % PALETTE.length];
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end">${escape(bar.label)}</text>`);
    parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${w.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colour}" rx="2"/>`);
    parts.push(`<text x="${LABEL_WIDTH + w + 6}" y="${y + 15}">${escape(`${format(bar.value)} ${chart.unit}`)}</text>`);
  });
  if (chart.log) parts.push(`<text x="${WIDTH - 12}" y="24" text-anchor="end" fill="#6b7280">log scale</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
