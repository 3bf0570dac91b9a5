import http from 'node:http';
import type { Socket } from 'node:net';
import { ERROR_STATUS, type ErrorCode } from '../../lib/errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { API_CSP, securityHeaderLines } from './security-headers.ts';
import { type ProxyTrust, isTrustedProxy, normalizeAddress } from './client-address.ts';

export interface HttpLimits {
  /** The whole request line and headers must arrive within this (408 and close otherwise). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408 and close otherwise). */
  requestTimeoutMs: number;
  /** Open TCP connections at most; past it Node closes new ones at once. */
  maxConnections: number;
  /** Open TCP connections per client address at most; 0 for no cap. */
  maxConnectionsPerIp: number;
}

/**
 * How often Node compares open requests with `headersTimeout` and `requestTimeout`. Node checks
 * them only on this timer (30 s by default), so a slow client was held up to 30 s past either
 * limit; a tenth of the headers timeout, at most 1 s, keeps the overshoot small.
 */
export function connectionsCheckingInterval(limits: Pick<HttpLimits, 'headersTimeoutMs'>): number {
  return Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 10)));
}

/** The options of `http.createServer` that bound how long a client may take to send a request. */
export function serverOptions(limits: HttpLimits): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingInterval(limits),
  };
}


interface ClientErrorAnswer {
  code: ErrorCode;
  reason: string;
  message: string;
}

const CLIENT_ERRORS: Record<string, ClientErrorAnswer> = {
  HPE_HEADER_OVERFLOW: { code: 'headers_too_large', reason: 'headers_too_large', message: 'The request headers are too large.' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request_timeout', reason: 'timeout', message: 'The request took too long to arrive.' },
};
const BAD_REQUEST: ClientErrorAnswer = { code: 'bad_request', reason: 'bad_request', message: 'The request is not valid HTTP.' };

/**
 * Guards the HTTP server's connections: caps the connections open at once, in all and per client
 * address (a browser holds about 7), and answers what Node's parser refuses (malformed requests,
 * oversized headers, the headers or request timeout) with the API's error shape and the security
 * headers every response carries, counted and logged at debug: a client's mistake, not ours.
 */
export function guardConnections(server: http.Server, limits: HttpLimits, deps: { logger: Logger; metrics: Metrics; https: boolean; proxyTrust: ProxyTrust }): void {
  const log = deps.logger.child({ module: 'http' });
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    deps.metrics.httpConnectionsRefused.inc({ reason: 'max_connections' });
    log.debug({ remoteAddress: data?.remoteAddress }, 'connection refused: too many connections');
  });

  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = normalizeAddress(socket.remoteAddress);
    const count = (open.get(address) ?? 0) + 1;
    // A trusted load balancer carries every client's connections: only the server-wide cap holds it.
    if (limits.maxConnectionsPerIp > 0 && count > limits.maxConnectionsPerIp && !isTrustedProxy(address, deps.proxyTrust)) {
      deps.metrics.httpConnectionsRefused.inc({ reason: 'per_ip' });
      log.debug({ remoteAddress: address, open: count - 1 }, 'connection refused: too many connections from this address');
      socket.destroy();
      return;
    }
    open.set(address, count);
    // Node's headers timeout starts with the first byte of a request: a connection that never
    // sends one would be held for good. It gets as long as a request's headers would.
    const silent = setTimeout(() => {
      if (socket.bytesRead > 0 || socket.destroyed) return;
      deps.metrics.httpClientErrors.inc({ reason: 'idle' });
      log.debug({ remoteAddress: address }, 'connection closed: nothing sent');
      socket.destroy();
    }, limits.headersTimeoutMs);
    silent.unref();
    socket.once('close', () => {
      clearTimeout(silent);
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });

  // Node's own answers here are bare status lines; these carry the same headers as the rest.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const kind = CLIENT_ERRORS[error.code ?? ''] ?? BAD_REQUEST;
    const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE';
    deps.metrics.httpClientErrors.inc({ reason: reset ? 'reset' : kind.reason });
    log.debug({ code: error.code, remoteAddress: socket.remoteAddress }, 'client error: connection closed');
    if (!reset && socket.writable && socket.bytesWritten === 0) {
      const status = ERROR_STATUS[kind.code];
      const body = JSON.stringify({ error: { code: kind.code, message: kind.message } });
      socket.write(
        [
          `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`,
          'Connection: close',
          'Content-Type: application/json; charset=utf-8',
          'Cache-Control: no-store',
          `Content-Length: ${Buffer.byteLength(body)}`,
          ...securityHeaderLines(API_CSP, deps.https),
          '',
          body,
        ].join('\r\n'),
      );
    }
    socket.destroy();
  });
}
