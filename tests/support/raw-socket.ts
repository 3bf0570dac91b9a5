import WebSocket from 'ws';

/** A Socket.IO connection spoken by hand over `ws`, so a test can stop reading like a stalled client. */
export interface RawSocket {
  ws: WebSocket;
  /** The Socket.IO socket id the server gave (as in `io.sockets.sockets`). */
  id: string;
  /** Every frame received while reading. */
  frames: string[];
  /** Sends a Socket.IO event, with an ack id if given. */
  emit(event: string, payload: unknown, ackId?: number): void;
  /** Stops reading from the TCP socket: the kernel buffers fill and the server sees a slow client. */
  pauseReading(): void;
  closed: Promise<void>;
}

/**
 * Opens `/socket.io/` over WebSocket with the session cookie and joins the main namespace;
 * `headers` are added to the upgrade request (a proxy's X-Forwarded-For, say).
 */
export async function connectRaw(baseUrl: string, cookie: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { headers: { ...headers, origin: baseUrl, cookie } });
  const frames: string[] = [];
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const id = await new Promise<string>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      frames.push(text);
      if (text.startsWith('0{')) ws.send('40');
      else if (text === '2') ws.send('3');
      else if (text.startsWith('40{')) resolve((JSON.parse(text.slice(2)) as { sid: string }).sid);
      else if (text.startsWith('44')) reject(new Error(`connection refused: ${text}`));
    });
  });
  return {
    ws,
    id,
    frames,
    emit(event, payload, ackId) {
      ws.send(`42${ackId ?? ''}${JSON.stringify([event, payload])}`);
    },
    pauseReading() {
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    },
    closed,
  };
}
