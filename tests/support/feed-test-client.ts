import WebSocket from 'ws';
import type { Simulator } from '../../server/feed/simulator/create-simulator.ts';

/** One JSON frame from the feed (or `{unparsed}` for text that is not JSON). */
export type Frame = Record<string, unknown> & { type?: string };

/** A raw `ws` client recording every frame, with bounded waits; registered in `open` for closing. */
export async function connectFeed(url: string, open: Array<{ close(): Promise<void> }>) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  open.push({ close: () => Promise.resolve(ws.terminate()) });
  const frames: Frame[] = [];
  let wake = (): void => undefined;
  ws.on('message', (data: Buffer) => {
    try {
      frames.push(JSON.parse(data.toString()) as Frame);
    } catch {
      frames.push({ unparsed: data.toString() });
    }
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let cursor = 0;
  /** The next frame (after the previous match) satisfying `test`; fails after `timeoutMs`. */
  const next = async (test: (f: Frame) => boolean, timeoutMs = 2000): Promise<Frame> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = frames.findIndex((f, i) => i >= cursor && test(f));
      if (index >= 0) {
        cursor = index + 1;
        return frames[index] as Frame;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames.slice(-3))}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.min(left, 50));
      });
    }
  };
  const send = (msg: unknown): void => ws.send(JSON.stringify(msg));
  const subscribe = (products: string[], channels: unknown[] = ['matches', 'heartbeat']) => send({ type: 'subscribe', product_ids: products, channels });
  return { ws, frames, next, send, subscribe, closed };
}

/** GETs JSON with a 5 s timeout. */
export async function getJson(url: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** POSTs a control command to the simulator. */
export async function control(sim: Simulator, command: string, body?: unknown) {
  const res = await fetch(`${sim.restUrl}/_control/${command}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { ok?: boolean; result?: unknown; message?: string } };
}
