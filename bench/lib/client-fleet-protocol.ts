/** Messages between the bench and its client processes (bench/lib/client-fleet-process.ts). */

export type FleetCommand =
  | { cmd: 'clock' }
  | { cmd: 'connect-socket-io'; baseUrl: string; cookies: string[]; products: string[]; concurrency: number }
  | { cmd: 'connect-ws'; url: string; count: number; concurrency: number }
  | { cmd: 'counts' }
  | { cmd: 'collect' }
  | { cmd: 'close' };

export type FleetRequest = FleetCommand & { id: number };

export type FleetReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface ConnectResult {
  connected: number;
  failed: number;
  /** The first few failure reasons. */
  errors: string[];
}

export interface FleetCounts {
  sockets: number;
  ticks: number;
  hits: number;
  frames: number;
  /** Sockets that closed after connecting (the server dropped them, or they timed out). */
  dropped: number;
}

/**
 * Receipts since the last collect, as flat pairs `[tradeId, receivedAt, tradeId, receivedAt, ...]`
 * (wall-clock milliseconds in the client process): `price:tick`, `alert:hit`, and relay frames.
 */
export interface FleetSamples {
  ticks: Float64Array;
  hits: Float64Array;
  frames: Float64Array;
}
