import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../lib/errors.ts';
import { SESSION_USER_HEADER, encodeSessionUser } from '../../lib/session-header.ts';
import type { Auth } from '../auth/create-auth.ts';
import { getSession } from '../auth/get-session.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ApiRouter } from './api-router.ts';
import { type AuthRouteDeps, handleAuthRoute } from './auth-routes.ts';
import { type ReadinessCheck, handleHealthz, handleMetrics, handleReadyz } from './health-routes.ts';
import { isAllowedOrigin } from './origin-check.ts';
import { gatePage, needsSession } from './page-gate.ts';
import { API_CSP, applySecurityHeaders, createNonce, pageCsp } from './security-headers.ts';
import { applyStaticCaching } from './static-cache.ts';
import { sendError, sendJson } from './send.ts';
import { type ProxyTrust, clientAddress } from './client-address.ts';

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RequestHandlerDeps extends Omit<AuthRouteDeps, 'auth'> {
  auth: Auth;
  logger: Logger;
  metrics: Metrics;
  dev: boolean;
  publicUrl: URL | undefined;
  /** TRUSTED_PROXIES: whose X-Forwarded-For gives the client address (rate limits, sessions). */
  proxyTrust: ProxyTrust;
  readiness: Record<string, ReadinessCheck>;
  /** The JSON API under `/api/*` (other than auth). */
  api: ApiRouter;
  /** Renders pages (Next.js); `null` when the app runs without its UI (some tests). */
  pages: PageHandler | null;
}

/**
 * The single HTTP entry in front of everything but Socket.IO: security headers, the request
 * target and Host checks, the Origin check on writes, health and metrics, Better Auth's routes,
 * the JSON API, then the page gate and Next. Every failure becomes the API error shape, and every
 * request is answered or its connection closed: the returned promise never rejects.
 */
export function createRequestHandler(deps: RequestHandlerDeps) {
  const log = deps.logger.child({ module: 'http' });
  const https = deps.publicUrl?.protocol === 'https:';
  const aborted = () => deps.metrics.httpAborted.inc();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseRequestTarget(req.url);
    const group = url ? routeGroup(url.pathname) : 'invalid';
    res.on('finish', () => deps.metrics.httpRequests.inc({ group, status: `${Math.floor(res.statusCode / 100)}xx` }));
    try {
      await dispatch(req, res, url, group);
    } catch (error) {
      sendError(res, error, log, aborted);
    }
    // The API and auth routes answer before they resolve; one that did not is our bug, and the
    // client must not wait for an answer that never comes.
    if (group !== 'page' && !res.writableEnded && !res.destroyed) {
      sendError(res, new Error(`${req.method ?? 'GET'} ${url?.pathname ?? ''} finished without answering`), log, aborted);
    }
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL | null, group: RouteGroup | 'invalid'): Promise<void> {
    // Only the server may tell pages who is signed in.
    delete req.headers[SESSION_USER_HEADER];
    applySecurityHeaders(res, API_CSP, https);
    if (!url) throw new AppError('bad_request', 'The request target must be a path on this site, such as /dashboard.');
    if (!isValidHost(req.headers.host)) throw new AppError('bad_request', 'The Host header is not a valid host name and port.');
    if (group === 'page') return handlePage(req, res, url);
    if (!isAllowedOrigin(req, deps.publicUrl)) {
      throw new AppError('cross_origin', 'This request came from another site and was refused.');
    }
    if (url.pathname === '/healthz') return handleHealthz(res);
    if (url.pathname === '/readyz') return handleReadyz(res, deps.readiness);
    if (url.pathname === '/metrics') return handleMetrics(res, deps.metrics);
    if (group === 'auth') {
      const external = new URL(url.pathname + url.search, requestOrigin(req, deps.publicUrl));
      return handleAuthRoute(req, res, external, clientAddress(req, deps.proxyTrust), deps);
    }
    return deps.api(req, res, url, await getSession(deps.auth, req.headers));
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res);
    } catch (error) {
      // Last resort (sendError itself failed): a 500 if nothing was sent, else close the connection.
      log.error({ err: error }, 'request handler failed');
      try {
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, new AppError('internal', 'Something went wrong on our side. Please try again.').toBody());
      } catch {
        res.destroy();
      }
    }
  };

  async function handlePage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const nonce = createNonce();
    const csp = pageCsp(nonce, deps.dev);
    applySecurityHeaders(res, csp, https);
    if (!isAllowedOrigin(req, deps.publicUrl)) {
      throw new AppError('cross_origin', 'This request came from another site and was refused.');
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > deps.maxBodyBytes) {
      throw new AppError('payload_too_large', `The request body is larger than the limit of ${deps.maxBodyBytes} bytes.`);
    }
    if (needsSession(url.pathname)) {
      const session = await getSession(deps.auth, req.headers);
      const decision = gatePage(url.pathname, session !== null, url.search);
      if ('redirect' in decision) {
        res.statusCode = 303;
        res.setHeader('Location', decision.redirect);
        res.setHeader('Cache-Control', 'no-store');
        res.end();
        return;
      }
      if (session) req.headers[SESSION_USER_HEADER] = encodeSessionUser(session.user);
    }
    if (!deps.pages) throw new AppError('not_found', 'Pages are not served by this instance.');
    // Next reads the nonce from the request's CSP header and stamps it on its scripts.
    req.headers['content-security-policy'] = csp;
    applyStaticCaching(req, res, url.pathname);
    await deps.pages(req, res);
  }
}

const TARGET_BASE = 'http://internal';

/**
 * The request target as a URL, or null unless it is a path on this site (origin-form, RFC 9112
 * section 3.2.1). `//host/x` (and `/\\host/x`, which URL parsers read the same way), the
 * absolute form (`http://x/`), `*`, and paths whose dot segments resolve to `//...` are refused:
 * `new URL` would read another host out of them, or throw.
 */
export function parseRequestTarget(target: string | undefined): URL | null {
  if (target === undefined || target[0] !== '/' || target[1] === '/' || target[1] === '\\') return null;
  let url: URL;
  try {
    url = new URL(target, TARGET_BASE);
  } catch {
    return null;
  }
  if (url.origin !== TARGET_BASE || url.pathname.startsWith('//')) return null;
  return url;
}

/** A Host header value: a host name, IPv4 or bracketed IPv6 address, and an optional port. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::(\d{1,5}))?$/;

/**
 * True when the Host header is absent (HTTP/1.0; Node itself refuses HTTP/1.1 without one) or
 * a valid authority: `a b`, `[`, `x:99999` or `a/b` would make the origin built from it throw
 * or name another place.
 */
export function isValidHost(host: string | undefined): boolean {
  if (host === undefined) return true;
  const match = HOST.exec(host);
  if (!match || Number(match[1] ?? 0) > 65_535) return false;
  try {
    const url = new URL(`http://${host}/`);
    return url.pathname === '/' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

type RouteGroup = 'auth' | 'api' | 'ops' | 'page';

function routeGroup(pathname: string): RouteGroup {
  if (pathname.startsWith('/api/auth/') || pathname === '/api/auth') return 'auth';
  if (pathname.startsWith('/api/') || pathname === '/api') return 'api';
  if (pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return 'ops';
  return 'page';
}

/** The origin the browser used: PUBLIC_URL behind a proxy, otherwise this server's Host. */
function requestOrigin(req: IncomingMessage, publicUrl: URL | undefined): string {
  if (publicUrl) return publicUrl.origin;
  return `http://${req.headers.host ?? 'localhost'}`;
}
