/**
 * A client process of the bench (spawned by client-fleet.ts with an IPC channel): holds
 * thousands of sockets to the app (hand-spoken Socket.IO) or to the bare ws relay, and records
 * when each tick, alert hit or relay frame arrives, by trade id. Exits when the bench goes away.
 */
import WebSocket from 'ws';
import type { ConnectResult, FleetCounts, FleetReply, FleetRequest, FleetSamples } from './client-fleet-protocol.ts';
import { openRawSocketIo } from './raw-socket-io.ts';
import { wallNow } from './wall-clock.ts';

const sockets: WebSocket[] = [];
let ticks: number[] = [];
let hits: number[] = [];
let frames: number[] = [];
let dropped = 0;
let closing = false;

function onEvent(name: string, payload: unknown, receivedAt: number): void {
  if (name === 'price:tick') ticks.push((payload as { tradeId: number }).tradeId, receivedAt);
  else if (name === 'alert:hit') hits.push((payload as { tradeId: number }).tradeId, receivedAt);
}

function track(ws: WebSocket): void {
  sockets.push(ws);
  ws.on('close', () => {
    if (!closing) dropped += 1;
  });
}

/** Runs `open` for items 0..count-1, at most `concurrency` at a time. */
async function connectAll(count: number, concurrency: number, open: (index: number) => Promise<WebSocket>): Promise<ConnectResult> {
  const result: ConnectResult = { connected: 0, failed: 0, errors: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      try {
        track(await open(index));
        result.connected += 1;
      } catch (error) {
        result.failed += 1;
        if (result.errors.length < 5) result.errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return result;
}

function openRelaySocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', (data: Buffer) => {
    const receivedAt = wallNow();
    const frame = JSON.parse(data.toString()) as { trade_id?: number };
    if (frame.trade_id !== undefined) frames.push(frame.trade_id, receivedAt);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function handle(request: FleetRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'clock':
      return wallNow();
    case 'connect-socket-io': {
      const { baseUrl, cookies, products } = request;
      return connectAll(cookies.length, request.concurrency, async (i) => {
        const socket = await openRawSocketIo({ baseUrl, cookie: cookies[i]!, products, onEvent });
        return socket.ws;
      });
    }
    case 'connect-ws':
      return connectAll(request.count, request.concurrency, () => openRelaySocket(request.url));
    case 'counts':
      return { sockets: sockets.length - dropped, ticks: ticks.length / 2, hits: hits.length / 2, frames: frames.length / 2, dropped } satisfies FleetCounts;
    case 'collect': {
      const samples: FleetSamples = { ticks: Float64Array.from(ticks), hits: Float64Array.from(hits), frames: Float64Array.from(frames) };
      ticks = [];
      hits = [];
      frames = [];
      return samples;
    }
    case 'close':
      closing = true;
      for (const ws of sockets) ws.terminate();
      return sockets.length;
  }
}

process.on('message', (message: FleetRequest) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result } satisfies FleetReply),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) } satisfies FleetReply),
  );
});
// The bench is gone (finished, or crashed): nothing else would ever close these sockets.
process.on('disconnect', () => process.exit(0));
