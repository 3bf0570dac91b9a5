import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromNodeHeaders } from 'better-auth/node';
import type { Auth } from '../auth/create-auth.ts';
import { getSession } from '../auth/get-session.ts';
import type { Metrics } from '../metrics.ts';
import { checkAuthFields } from './check-auth-fields.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { parseJsonBody, readBody } from './read-body.ts';

/** Routes whose success can end sessions: live sockets of that user are re-checked after them. */
const SESSION_ENDING = new Set([
  '/api/auth/sign-out',
  '/api/auth/revoke-session',
  '/api/auth/revoke-sessions',
  '/api/auth/revoke-other-sessions',
  '/api/auth/change-password',
  '/api/auth/delete-user',
]);

/** Credential routes guarded by the per-IP and per-account limits. */
const CREDENTIAL_ROUTES = new Set(['/api/auth/sign-in/email', '/api/auth/sign-up/email']);

export interface AuthRouteDeps {
  auth: Auth;
  maxBodyBytes: number;
  limits: { ip: RateLimiter; account: RateLimiter };
  metrics: Metrics;
  /** Called with a user id after a request that may have ended some of its sessions. */
  onSessionsChanged: (userId: string) => void;
}

/**
 * Serves Better Auth's routes under `/api/auth/*` from the custom server: the body is read once
 * under the size limit (and must be JSON when present, its e-mail and name fields of bounded
 * length), credential routes are rate limited per
 * client IP and per e-mail address, then the request goes to Better Auth as a web `Request`.
 * Origin has been checked by the caller.
 */
export async function handleAuthRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  clientIp: string,
  deps: AuthRouteDeps,
): Promise<void> {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const body = hasBody ? await readBody(req, deps.maxBodyBytes) : undefined;
  const json = body && body.length > 0 ? parseJsonBody(body, req.headers['content-type']) : undefined;
  checkAuthFields(json);

  if (req.method === 'POST' && CREDENTIAL_ROUTES.has(url.pathname)) {
    await limited(deps, 'auth_ip', () => deps.limits.ip.consume(`ip:${clientIp}`, 'sign-in attempts from your address'));
    const email = emailOf(json);
    if (email) {
      await limited(deps, 'auth_account', () =>
        deps.limits.account.consume(`account:${email}`, 'sign-in attempts for this account'),
      );
    }
  }

  const endsSessions = req.method === 'POST' && SESSION_ENDING.has(url.pathname);
  const before = endsSessions ? await getSession(deps.auth, req.headers) : null;

  const response = await deps.auth.handler(
    new Request(url, { method: req.method ?? 'GET', headers: fromNodeHeaders(req.headers), body: body ? new Uint8Array(body) : undefined }),
  );
  res.statusCode = response.status;
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') res.setHeader(key, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
  res.setHeader('Cache-Control', 'no-store');
  res.end(Buffer.from(await response.arrayBuffer()));

  if (before && response.ok) deps.onSessionsChanged(before.userId);
}

async function limited(deps: AuthRouteDeps, limit: string, consume: () => Promise<void>): Promise<void> {
  try {
    await consume();
  } catch (error) {
    deps.metrics.rateLimited.inc({ limit });
    throw error;
  }
}

function emailOf(json: unknown): string | null {
  if (typeof json !== 'object' || json === null) return null;
  const email = (json as { email?: unknown }).email;
  return typeof email === 'string' && email.length <= 320 ? email.trim().toLowerCase() : null;
}
