import type { ServerResponse } from 'node:http';
import type { Metrics } from '../metrics.ts';
import { sendJson } from './send.ts';

/** A named readiness check: resolves to `true` when that part of the service is ready. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

/** `/healthz`: the process is up and answering. */
export function handleHealthz(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' });
}

/**
 * `/readyz`: 200 when every check passes, 503 otherwise, with each check's result so an operator
 * sees which part is not ready. A check that throws counts as not ready.
 */
export async function handleReadyz(res: ServerResponse, checks: Record<string, ReadinessCheck>): Promise<void> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, (await check()) ? 'ok' : 'not ready'] as const;
      } catch {
        return [name, 'error'] as const;
      }
    }),
  );
  const ready = entries.every(([, state]) => state === 'ok');
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(entries) });
}

/** `/metrics`: Prometheus text exposition of the app's registry. */
export async function handleMetrics(res: ServerResponse, metrics: Metrics): Promise<void> {
  const text = await metrics.registry.metrics();
  res.statusCode = 200;
  res.setHeader('Content-Type', metrics.registry.contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}
