import WebSocket from 'ws';
import { wallNow } from './wall-clock.ts';

export interface RawSocketIoOptions {
  /** The app's origin, e.g. http://127.0.0.1:3000 (also sent as the page's Origin). */
  baseUrl: string;
  /** The `Cookie` header holding the session. */
  cookie: string;
  /** Products to `price:subscribe` to; the socket counts as open once that is acknowledged. */
  products?: string[];
  /** Every server event, with the wall time its frame arrived (read before anything else). */
  onEvent(name: string, payload: unknown, receivedAt: number): void;
  timeoutMs?: number;
}

export interface RawSocketIo {
  ws: WebSocket;
  close(): void;
}

/**
 * A Socket.IO v4 client spoken by hand over one `ws` WebSocket (no polling, no reconnection):
 * the engine.io open and ping/pong, the namespace connect, events, and acks for events that ask
 * for one (alert:hit). Thousands of them share a client process; socket.io-client would cost
 * several times the memory and CPU per socket, CPU the server under test competes for on this
 * machine. Resolves once connected (and subscribed); rejects with the server's reason otherwise.
 */
export function openRawSocketIo(options: RawSocketIoOptions): Promise<RawSocketIo> {
  const url = `${options.baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { headers: { origin: options.baseUrl, cookie: options.cookie }, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!error) return resolve({ ws, close: () => ws.terminate() });
      ws.terminate();
      reject(error);
    };
    const timer = setTimeout(() => settle(new Error('no Socket.IO connection in time')), options.timeoutMs ?? 30_000);
    ws.on('error', (error) => settle(error));
    ws.on('close', () => settle(new Error('closed before connecting')));
    ws.on('message', (data: Buffer) => {
      const receivedAt = wallNow();
      const text = data.toString();
      if (text === '2') return ws.send('3');
      if (text.startsWith('0')) return ws.send('40');
      if (text.startsWith('40')) {
        if (!options.products) return settle(null);
        return ws.send(`420${JSON.stringify(['price:subscribe', { products: options.products }])}`);
      }
      if (text.startsWith('44')) return settle(new Error(`connection refused: ${text.slice(2)}`));
      const bracket = text.indexOf('[');
      if (bracket < 0) return;
      if (text.startsWith('43')) {
        const [ack] = JSON.parse(text.slice(bracket)) as [{ ok: boolean }];
        return settle(ack.ok ? null : new Error(`subscribe refused: ${text}`));
      }
      if (!text.startsWith('42')) return;
      const ackId = text.slice(2, bracket);
      const [name, payload] = JSON.parse(text.slice(bracket)) as [string, unknown];
      options.onEvent(name, payload, receivedAt);
      if (ackId !== '') ws.send(`43${ackId}[]`);
    });
  });
}
