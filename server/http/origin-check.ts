import type { IncomingMessage } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when `origin` is this app's own origin: with `publicUrl` set, exactly that origin;
 * otherwise an origin of the scheme this server speaks (`scheme`, plain `http:` here: TLS is
 * the proxy's, and a proxy sets PUBLIC_URL) naming the very Host the request was sent to (so
 * `localhost` and `127.0.0.1` both work, on any port). `https://host` is another origin than
 * `http://host`: a page served over https elsewhere under the same name is not this app.
 */
export function isOwnOrigin(origin: string, host: string | undefined, publicUrl: URL | undefined, scheme = 'http:'): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (publicUrl) return parsed.origin === publicUrl.origin;
  return parsed.protocol === scheme && parsed.host === host;
}

/**
 * True when a request may proceed as far as CSRF goes. Safe methods always may. A write must
 * come from the app's own origin; one without Origin is refused when it carries a cookie (a
 * browser always sends Origin on cross-site writes, so only a forged or scripted request could
 * lack it while riding a session) and allowed otherwise (curl, health probes).
 */
export function isAllowedOrigin(req: IncomingMessage, publicUrl: URL | undefined): boolean {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return true;
  const origin = req.headers.origin;
  if (origin === undefined) return req.headers.cookie === undefined;
  return isOwnOrigin(origin, req.headers.host, publicUrl);
}
