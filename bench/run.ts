/**
 * The performance suite: `npm run bench` (full, a few minutes on two cores) or
 * `npm run bench -- --smoke` (seconds: proves every scenario still works; CI runs it).
 * `--only engine,restart` picks scenarios; `--charts` only redraws the charts from the saved
 * results. Each scenario runs in its own process, one after
 * the other. The full run writes bench/results.json and the SVG charts under
 * docs/images/bench/; a smoke run writes its JSON to the temp dir and leaves both alone.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderBarChart } from './lib/svg-chart.ts';
import { reportTable } from './lib/report-table.ts';
import { RESULT_MARKER, type ScenarioResult } from './lib/scenario.ts';
import { SCENARIOS } from './scenarios/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const CHART_DIR = path.join(ROOT, 'docs/images/bench');

function writeCharts(results: readonly ScenarioResult[], dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const result of results) {
    for (const chart of result.charts ?? []) fs.writeFileSync(path.join(dir, `${chart.id}.svg`), renderBarChart(chart));
  }
}

// `--charts`: redraw docs/images/bench from bench/results.json, measuring nothing.
if (args.includes('--charts')) {
  const saved = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench/results.json'), 'utf8')) as { scenarios: ScenarioResult[] };
  writeCharts(saved.scenarios, CHART_DIR);
  process.stdout.write(`${reportTable(saved.scenarios)}\n`);
  process.exit(0);
}
const smoke = args.includes('--smoke');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? '').split(',') : Object.keys(SCENARIOS);
const unknown = only.filter((id) => !(id in SCENARIOS));
if (unknown.length > 0) {
  process.stderr.write(`unknown scenario(s) ${unknown.join(', ')}; one of: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}

function runScenario(id: string): Promise<{ result: ScenarioResult | null; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run-scenario.ts', id, ...(smoke ? ['--smoke'] : [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0 || !line) {
        process.stderr.write(`scenario ${id} failed (exit ${code})\n${out}\n`);
        resolve({ result: null, seconds });
        return;
      }
      resolve({ result: JSON.parse(line.slice(RESULT_MARKER.length)) as ScenarioResult, seconds });
    });
  });
}

const started = performance.now();
const loadBefore = os.loadavg();
const results: Array<ScenarioResult & { seconds: number }> = [];
const failed: string[] = [];
for (const id of only) {
  process.stderr.write(`scenario ${id}${smoke ? ' (smoke)' : ''}...\n`);
  const { result, seconds } = await runScenario(id);
  if (result) results.push({ ...result, seconds });
  else failed.push(id);
}

const report = {
  date: new Date().toISOString(),
  smoke,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadavgBefore: loadBefore, loadavgAfter: os.loadavg() },
  seconds: Math.round((performance.now() - started) / 1000),
  scenarios: results,
};
const chartDir = smoke ? fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-bench-charts-')) : CHART_DIR;
writeCharts(smoke ? results : report.scenarios, chartDir);
const resultsFile = smoke ? path.join(os.tmpdir(), 'tickwatch-bench-smoke.json') : path.join(ROOT, 'bench/results.json');
// `--only` re-measures some scenarios: the others keep their last full results.
if (!smoke && onlyIndex >= 0 && fs.existsSync(resultsFile)) {
  const previous = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as typeof report;
  const fresh = new Set(results.map((r) => r.id));
  const order = Object.keys(SCENARIOS);
  report.scenarios = [...previous.scenarios.filter((r) => !fresh.has(r.id)), ...results].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}
fs.writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);

process.stdout.write(`\n${reportTable(results)}\n\n`);
for (const result of results) for (const note of result.notes ?? []) process.stdout.write(`- ${result.title}: ${note}\n`);
process.stdout.write(`\n${results.length} scenario(s) in ${report.seconds} s; results in ${path.relative(ROOT, resultsFile)}, charts in ${path.relative(ROOT, chartDir)}\n`);
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
