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
import { sendError } from './send.ts';

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RequestHandlerDeps extends Omit<AuthRouteDeps, 'auth'> {
  auth: Auth;
  logger: Logger;
  metrics: Metrics;
  dev: boolean;
  publicUrl: URL | undefined;
  readiness: Record<string, ReadinessCheck>;
  /** The JSON API under `/api/*` (other than auth). */
  api: ApiRouter;
  /** Renders pages (Next.js); `null` when the app runs without its UI (some tests). */
  pages: PageHandler | null;
}

/**
 * The single HTTP entry in front of everything but Socket.IO: security headers, the Origin check
 * on writes, health and metrics, Better Auth's routes, the JSON API, then the page gate and Next.
 * Every failure becomes the API error shape; nothing thrown here can take the server down.
 */
export function createRequestHandler(deps: RequestHandlerDeps) {
  const log = deps.logger.child({ module: 'http' });
  const https = deps.publicUrl?.protocol === 'https:';

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://internal');
    const group = routeGroup(url.pathname);
    res.on('finish', () => deps.metrics.httpRequests.inc({ group, status: `${Math.floor(res.statusCode / 100)}xx` }));
    try {
      // Only the server may tell pages who is signed in.
      delete req.headers[SESSION_USER_HEADER];
      if (group === 'page') {
        await handlePage(req, res, url);
        return;
      }
      applySecurityHeaders(res, API_CSP, https);
      if (!isAllowedOrigin(req, deps.publicUrl)) {
        throw new AppError('cross_origin', 'This request came from another site and was refused.');
      }
      if (url.pathname === '/healthz') return handleHealthz(res);
      if (url.pathname === '/readyz') return await handleReadyz(res, deps.readiness);
      if (url.pathname === '/metrics') return await handleMetrics(res, deps.metrics);
      if (group === 'auth') {
        const external = new URL(url.pathname + url.search, requestOrigin(req, deps.publicUrl));
        return await handleAuthRoute(req, res, external, req.socket.remoteAddress ?? 'unknown', deps);
      }
      await deps.api(req, res, url, await getSession(deps.auth, req.headers));
    } catch (error) {
      sendError(res, error, log);
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

function routeGroup(pathname: string): 'auth' | 'api' | 'ops' | 'page' {
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
