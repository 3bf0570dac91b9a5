import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

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

/** Sets the headers every response carries, with `csp` as its Content-Security-Policy. */
export function applySecurityHeaders(res: ServerResponse, csp: string, https: boolean): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  if (https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
}
