import { test } from './fixtures';

/** The simulator of the browser tests' main app (projects may name another, see simUrl()). */
export const SIM_URL = `http://127.0.0.1:${process.env.E2E_SIM_PORT ?? 4110}`;

/** The simulator the running test's app trades on: its project's `metadata.simUrl`, else SIM_URL. */
export function simUrl(): string {
  const named = test.info().project.metadata.simUrl as unknown;
  return typeof named === 'string' ? named : SIM_URL;
}

/** Drives the simulator of the running test's app through its control surface. */
export async function simControl(command: string, body: unknown = {}): Promise<unknown> {
  const response = await fetch(`${simUrl()}/_control/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${command}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { result: unknown }).result;
}
