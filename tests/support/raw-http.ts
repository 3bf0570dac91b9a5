import net from 'node:net';

export interface RawExchange {
  /** Everything the server sent before it closed the connection (or before `timeoutMs`). */
  text: string;
  /** The status of the first response, or 0 when none came. */
  status: number;
  /** Whether the server closed the connection (rather than the wait running out). */
  closed: boolean;
  /** Milliseconds from connecting to the close, or to the end of the wait. */
  elapsedMs: number;
}

export interface RawOptions {
  /** Local address to connect from (any 127.0.0.0/8 address is loopback on Linux). */
  from?: string;
  /** Give up waiting after this long (the connection is then destroyed by the test). */
  timeoutMs?: number;
  /** Stop waiting once the first response is complete (keep-alive servers do not close). */
  untilResponse?: boolean;
}

/** True once `text` holds a whole response (headers, and a body as long as its Content-Length). */
function responseComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  return Buffer.byteLength(text.slice(end + 4)) >= Number(length?.[1] ?? 0);
}

/**
 * Sends `bytes` over a fresh TCP connection (node:net, so nothing is normalised on the way, as a
 * hostile client would) and collects what comes back.
 */
export function rawExchange(port: number, bytes: string | Buffer, options: RawOptions = {}): Promise<RawExchange> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port, ...(options.from ? { localAddress: options.from } : {}) });
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ text, status, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (options.untilResponse && responseComplete(text)) finish(true);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(bytes);
  });
}

/**
 * Opens a connection and sends `head`, then one byte of `trickle` every `everyMs` for as long as
 * the connection is open (a slowloris client); resolves when the server closes it or after
 * `timeoutMs`.
 */
export function trickle(port: number, head: string, trickleBytes: string, everyMs: number, timeoutMs: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    let done = false;
    let sent = 0;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(drip);
      socket.destroy();
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ text, status, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const drip = setInterval(() => {
      if (socket.writable) socket.write(trickleBytes[sent++ % trickleBytes.length] ?? 'a');
    }, everyMs);
    socket.on('data', (chunk: Buffer) => void (text += chunk.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(head);
  });
}

/** Opens a TCP connection and resolves once it is connected, or with null if it failed. */
export function openSocket(port: number, from?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, ...(from ? { localAddress: from } : {}) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves true if the server closes `socket` within `ms`, false if it is still open then. */
export function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', done);
    socket.once('end', done);
    socket.on('error', () => undefined);
  });
}
