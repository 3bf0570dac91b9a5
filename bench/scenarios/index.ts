import type { Scenario } from '../lib/scenario.ts';

/** Every scenario of `npm run bench`, in the order of docs/performance.md; each loads on demand. */
export const SCENARIOS: Record<string, () => Promise<Scenario>> = {
  engine: async () => (await import('./engine-throughput.ts')).engineThroughput,
  'batch-vs-stream': async () => (await import('./batch-vs-stream.ts')).batchVsStream,
  'end-to-end-latency': async () => (await import('./end-to-end-latency.ts')).endToEndLatency,
  'fan-out': async () => (await import('./fan-out.ts')).fanOut,
  'alert-storm': async () => (await import('./alert-storm.ts')).alertStorm,
  restart: async () => (await import('./restart.ts')).restart,
  browser: async () => (await import('./browser.ts')).browser,
  'firing-throughput': async () => (await import('./firing-throughput.ts')).firingThroughput,
  failover: async () => (await import('./failover.ts')).failover,
  'cross-node-latency': async () => (await import('./cross-node-latency.ts')).crossNodeLatency,
};
