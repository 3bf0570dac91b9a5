import { type ScenarioResult, passes } from './scenario.ts';

function num(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '';
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/** Every row of every scenario as one Markdown table (printed, and pasted into docs/performance.md). */
export function reportTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | measured | value | side by side | ratio | bar | met |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    for (const row of result.rows) {
      const baseline = row.baseline ? `${row.baseline.name}: ${num(row.baseline.value)}` : '';
      const ratio = row.ratio === undefined ? '' : `${num(row.ratio)}× ${row.ratioLabel ?? ''}`.trim();
      const bar = row.bar ? `${row.bar.op} ${num(row.bar.value)}` : '';
      const met = passes(row);
      lines.push(
        `| ${result.title} | ${row.metric} | ${num(row.value)} ${row.unit} | ${baseline} | ${ratio} | ${bar} | ${met === undefined ? '' : met ? 'yes' : '**no**'} |`,
      );
    }
  }
  return lines.join('\n');
}
