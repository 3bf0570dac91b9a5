/** Drives the simulator the browser tests run against, through its control surface. */
export const SIM_URL = `http://127.0.0.1:${process.env.E2E_SIM_PORT ?? 4110}`;

export async function simControl(command: string, body: unknown = {}): Promise<unknown> {
  const response = await fetch(`${SIM_URL}/_control/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${command}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { result: unknown }).result;
}
