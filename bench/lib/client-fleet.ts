import type { ChildProcess } from 'node:child_process';
import type { ConnectResult, FleetCommand, FleetCounts, FleetReply, FleetSamples } from './client-fleet-protocol.ts';
import { spawnNodeScript, stopChild } from './spawn-node-script.ts';
import { wallNow } from './wall-clock.ts';

const CHILD_SCRIPT = 'bench/lib/client-fleet-process.ts';
/** Handshakes each client process keeps in flight while connecting. */
const CONNECT_CONCURRENCY = 32;

export interface ClientFleet {
  pids: number[];
  /** Per process: its wall clock minus the bench's, in ms (subtracted from its receive times). */
  clockOffsets: number[];
  /** Connects one Socket.IO client per cookie, spread evenly over the processes. */
  connectSocketIo(baseUrl: string, cookies: string[], products: string[]): Promise<ConnectResult>;
  /** Connects `count` plain WebSocket clients to `url`, spread evenly over the processes. */
  connectWs(url: string, count: number): Promise<ConnectResult>;
  counts(): Promise<FleetCounts>;
  /** Everything received since the last collect, in the bench's clock. */
  collect(): Promise<FleetSamples>;
  close(): Promise<void>;
}

interface Worker {
  child: ChildProcess;
  request(command: FleetCommand): Promise<unknown>;
}

function startWorker(openFiles: number): Worker {
  const child = spawnNodeScript(CHILD_SCRIPT, [], { env: {}, ipc: true, openFiles });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  child.stdout?.resume();
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on('message', (reply: FleetReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.ok) waiter?.resolve(reply.result);
    else waiter?.reject(new Error(`client process: ${reply.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`client process exited (${code ?? signal}): ${stderr.trim()}`));
    pending.clear();
  });
  return {
    child,
    request: (command) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, ...command });
      }),
  };
}

/** The worker's clock minus this process's, from the IPC round trip with the least delay. */
async function clockOffset(worker: Worker): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 30; i++) {
    const sent = wallNow();
    const theirs = (await worker.request({ cmd: 'clock' })) as number;
    const back = wallNow();
    if (back - sent < best.rtt) best = { rtt: back - sent, offset: theirs - (sent + back) / 2 };
  }
  return best.offset;
}

function sum(results: ConnectResult[]): ConnectResult {
  return {
    connected: results.reduce((n, r) => n + r.connected, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
  };
}

/** Shifts the receive times of flat `[tradeId, receivedAt, ...]` pairs into the bench's clock. */
function shifted(pairs: Float64Array, offset: number): Float64Array {
  const out = Float64Array.from(pairs);
  for (let i = 1; i < out.length; i += 2) out[i]! -= offset;
  return out;
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Starts `processes` client processes (each allowed `socketsPerProcess` sockets), separate from
 * the bench and from the server, as browsers would be, and measures each one's clock offset.
 */
export async function startClientFleet(processes: number, socketsPerProcess: number): Promise<ClientFleet> {
  const workers = Array.from({ length: processes }, () => startWorker(socketsPerProcess));
  const all = <T>(command: FleetCommand): Promise<T[]> => Promise.all(workers.map((w) => w.request(command) as Promise<T>));
  let clockOffsets: number[];
  try {
    clockOffsets = await Promise.all(workers.map(clockOffset));
  } catch (error) {
    await Promise.all(workers.map((w) => stopChild(w.child, 'SIGKILL')));
    throw error;
  }
  const share = (count: number, p: number): number => Math.floor(count / processes) + (p < count % processes ? 1 : 0);
  return {
    pids: workers.map((w) => w.child.pid ?? 0),
    clockOffsets,
    async connectSocketIo(baseUrl, cookies, products) {
      const parts = workers.map((w, p) =>
        w.request({ cmd: 'connect-socket-io', baseUrl, products, cookies: cookies.filter((_, i) => i % processes === p), concurrency: CONNECT_CONCURRENCY }),
      );
      return sum((await Promise.all(parts)) as ConnectResult[]);
    },
    async connectWs(url, count) {
      const parts = workers.map((w, p) => w.request({ cmd: 'connect-ws', url, count: share(count, p), concurrency: CONNECT_CONCURRENCY }));
      return sum((await Promise.all(parts)) as ConnectResult[]);
    },
    async counts() {
      const each = await all<FleetCounts>({ cmd: 'counts' });
      const total = (key: keyof FleetCounts): number => each.reduce((n, c) => n + c[key], 0);
      return { sockets: total('sockets'), ticks: total('ticks'), hits: total('hits'), frames: total('frames'), dropped: total('dropped') };
    },
    async collect() {
      const each = await all<FleetSamples>({ cmd: 'collect' });
      const merge = (key: keyof FleetSamples): Float64Array => concat(each.map((s, p) => shifted(s[key], clockOffsets[p]!)));
      return { ticks: merge('ticks'), hits: merge('hits'), frames: merge('frames') };
    },
    async close() {
      await Promise.allSettled(workers.map((w) => w.request({ cmd: 'close' })));
      await Promise.all(workers.map((w) => stopChild(w.child)));
    },
  };
}
