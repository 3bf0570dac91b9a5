import type { Scenario } from '../lib/scenario.ts';

/** Every scenario of `npm run bench`, in the order of docs/performance.md; each loads on demand. */
export const SCENARIOS: Record<string, () => Promise<Scenario>> = {
  engine: async () => (await import('./engine-throughput.ts')).engineThroughput,
  'batch-vs-stream': async () => (await import('./batch-vs-stream.ts')).batchVsStream,
  restart: async () => (await import('./restart.ts')).restart,
  browser: async () => (await import('./browser.ts')).browser,
};
