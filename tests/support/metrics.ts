/** One sample of the server's Prometheus text, e.g. `tickwatch_feed_gaps_total{product="BTC-USD",outcome="filled"}`; 0 when absent. */
export async function readMetric(baseUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
