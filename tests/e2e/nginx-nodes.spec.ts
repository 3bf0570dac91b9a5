/**
 * Chromium through nginx to two nodes (docs/deployment.md, "Several nodes"): the configuration
 * the docs give (round robin, no sticky sessions, WebSocket upgrade, X-Forwarded-For) in front of
 * two nodes on one PostgreSQL database and one Redis, with `TRUSTED_PROXIES` naming nginx. A
 * person signs up and sets an alert through nginx; their page's socket is on the node that does
 * NOT hold the product's firing lease; the leader fires, and the hit crosses to the other node
 * over Redis and shows as a live toast. Everything runs on free ports, started here (the other
 * projects' apps keep their fixed ports).
 */
import { type Page, expect, test as base } from './fixtures';
import { currentPrice, setAlert } from './support-alerts';
import { signUp, uniqueEmail } from './support';
import { type ClusterNode, type NginxCluster, PRODUCT, readMetric, startNginxCluster } from './support-nginx';

const LEADER = `tickwatch_product_leader{product="${PRODUCT}"}`;
const SOCKETS = 'tickwatch_sockets_connected';
/** Page loads tried to get the page's socket onto the chosen node. */
const MAX_LOADS = 10;

const test = base.extend<object, { cluster: NginxCluster }>({
  cluster: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture uses from this pattern.
    async ({}, use) => {
      const cluster = await startNginxCluster({ nodes: 2, secret: 'nginx-nodes-e2e-secret-0123456789abcdef' });
      // The nodes' logs are judged by the fixtures like the other apps': an error line they did
      // not declare fails the test.
      const logs = process.env.E2E_SERVER_LOGS;
      process.env.E2E_SERVER_LOGS = JSON.stringify([...(JSON.parse(logs ?? '[]') as string[]), ...cluster.nodes.map((node) => node.log)]);
      try {
        await use(cluster);
      } finally {
        process.env.E2E_SERVER_LOGS = logs;
        await cluster.close();
      }
    },
    // Two production nodes with their pages, and nginx: slower to start than a test may take.
    { scope: 'worker', timeout: 150_000 },
  ],
  // The browser talks to nginx only.
  baseURL: async ({ cluster }, use) => use(cluster.url),
});

/** Each node's count of authenticated sockets, in the order of `cluster.nodes`. */
const socketCounts = (cluster: NginxCluster) => Promise.all(cluster.nodes.map((node) => readMetric(node.baseUrl, SOCKETS)));

/**
 * Loads the page again until its one socket is on `target`, at most MAX_LOADS times. nginx's
 * round robin decides: before every other load one request of our own through nginx moves its
 * turn by one, so a page load that makes the same number of requests each time cannot keep the
 * socket on the wrong node. Returns the number of loads it took.
 */
async function putSocketOn(page: Page, cluster: NginxCluster, target: ClusterNode): Promise<number> {
  const at = cluster.nodes.indexOf(target);
  for (let load = 1; load <= MAX_LOADS; load++) {
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
    // The page's socket and nothing else: one in all (a reloaded page's old one is gone).
    await expect.poll(async () => (await socketCounts(cluster)).reduce((sum, n) => sum + n, 0), { message: "the page's one socket", timeout: 10_000 }).toBe(1);
    if ((await socketCounts(cluster))[at] === 1) return load;
    if (load % 2 === 0) expect((await fetch(`${cluster.url}/healthz`)).status).toBe(200);
    await page.reload();
  }
  throw new Error(`the page's socket never landed on ${target.name} in ${MAX_LOADS} page loads`);
}

test('a hit fired on the leader reaches, as a live toast, a page whose socket nginx put on the other node', async ({ page, cluster }) => {
  const leaders = await Promise.all(cluster.nodes.map((node) => readMetric(node.baseUrl, LEADER)));
  expect([...leaders].sort()).toEqual([0, 1]);
  const leader = cluster.nodes[leaders.indexOf(1)]!;
  const other = cluster.nodes.find((node) => node !== leader)!;

  await signUp(page, uniqueEmail('nginx'));
  const price = await currentPrice(page);
  await setAlert(page, 'above', price + 300);
  // An alert made on either node reaches the leader's index at once (announced over Redis), or
  // by the alert sync within a second.
  const indexedAt = Date.now() + 1_500;

  const loads = await putSocketOn(page, cluster, other);
  process.stdout.write(`nginx-nodes: the page's socket on ${other.name}, not on the leader ${leader.name}, after ${loads} page load(s)\n`);
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', 'live');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, indexedAt - Date.now())));

  const crossed = await fetch(`${cluster.simUrl}/_control/trade`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ product: PRODUCT, price: `${price + 400}.00`, size: '0.01' }),
  });
  expect(crossed.status).toBe(200);

  const toast = page.getByTestId('alert-toast');
  await expect(toast).toBeVisible({ timeout: 10_000 });
  await expect(toast).toHaveAttribute('data-replayed', 'false');
  await expect(toast.getByTestId('alert-toast-condition')).toHaveText(`${PRODUCT} last price above ${(price + 300).toLocaleString('en-US')}.00`);
  await expect(toast).toHaveCount(1);

  // Fired on the leader, shown through the other node: the socket never moved.
  expect(await readMetric(leader.baseUrl, 'tickwatch_alerts_fired_total')).toBe(1);
  expect(await readMetric(other.baseUrl, 'tickwatch_alerts_fired_total')).toBe(0);
  expect(await socketCounts(cluster)).toEqual(cluster.nodes.map((node) => (node === other ? 1 : 0)));
  expect(await readMetric(leader.baseUrl, LEADER)).toBe(1);
  expect(cluster.nginxProblems()).toEqual([]);
});
