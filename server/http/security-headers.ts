import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/** A fresh CSP nonce for one page response (128 random bits). */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Content-Security-Policy of a page. Scripts run only with this response's nonce
 * ('strict-dynamic' lets Next's nonce'd loader pull its chunks); the socket connects to the same
 * origin; styles allow inline attributes because the chart and toast libraries set element
 * styles (no script can be injected through them). Development adds 'unsafe-eval' because
 * React's dev tooling needs it; production never has it.
 */
export function pageCsp(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The policy of every non-page response (JSON, metrics): nothing may load or frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** The headers every response carries, with `csp` as its Content-Security-Policy. */
export function securityHeaders(csp: string, https: boolean): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['Content-Security-Policy', csp],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=()'],
  ];
  if (https) headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return headers;
}

/** Sets the headers every response carries, with `csp` as its Content-Security-Policy. */
export function applySecurityHeaders(res: ServerResponse, csp: string, https: boolean): void {
  for (const [name, value] of securityHeaders(csp, https)) res.setHeader(name, value);
}

/** The same headers as raw `Name: value` lines, for answers written straight to a socket. */
export function securityHeaderLines(csp: string, https: boolean): string[] {
  return securityHeaders(csp, https).map(([name, value]) => `${name}: ${value}`);
}

/**
 * Puts the API's security headers on every response of `server` before any listener sees it,
 * so the answers of listeners other than ours (engine.io's own errors and handshakes under
 * `/socket.io/`) carry them too; our handler then sets a page's own policy over them. Call it
 * after every request listener is attached (Socket.IO replaces the ones present when it attaches).
 */
export function secureEveryResponse(server: Server, https: boolean): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    applySecurityHeaders(res, API_CSP, https);
    for (const listener of listeners) listener.call(server, req, res);
  });
}
