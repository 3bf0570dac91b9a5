import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromNodeHeaders } from 'better-auth/node';
import { AppError } from '../../lib/errors.ts';
import { type Auth, CLIENT_IP_HEADER } from '../auth/create-auth.ts';
import { HASH_QUEUE_RETRY_AFTER_S } from '../auth/password-hasher.ts';
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

/** Credential routes guarded by the per-IP and per-account limits, the account named by the body's e-mail. */
const CREDENTIAL_ROUTES = new Set(['/api/auth/sign-in/email', '/api/auth/sign-up/email']);

/**
 * Routes that check or hash a password of the signed-in user (or a reset token's): the same
 * per-IP budget as sign-in, and the same per-account budget, the account being the session's.
 * A stolen session cookie is then no faster an oracle for the password than the sign-in form.
 */
const PASSWORD_ROUTES = new Set([
  '/api/auth/verify-password',
  '/api/auth/change-password',
  '/api/auth/delete-user',
  '/api/auth/set-password',
  '/api/auth/reset-password',
]);

/** Forwarding headers a client may send; Better Auth is given the connection's address instead. */
const CLIENT_ADDRESS_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded', CLIENT_IP_HEADER];

export interface AuthRouteDeps {
  auth: Auth;
  maxBodyBytes: number;
  limits: { ip: RateLimiter; account: RateLimiter };
  metrics: Metrics;
  /** Whether a request that would hash a password must be refused now (the hashing queue is full). */
  hashingSaturated: () => boolean;
  /** Called with a user id after a request that may have ended some of its sessions. */
  onSessionsChanged: (userId: string) => void;
}

/**
 * Serves Better Auth's routes under `/api/auth/*` from the custom server: the body is read once
 * under the size limit (and must be JSON when present, its e-mail and name fields of bounded
 * length), credential and password routes are rate limited per client IP and per account, a
 * request that would hash a password is refused with 503 while the hashing queue is full, then
 * the request goes to Better Auth as a web `Request` carrying the connection's address.
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

  const post = req.method === 'POST';
  if (post && CREDENTIAL_ROUTES.has(url.pathname)) {
    await limited(deps, 'auth_ip', () => deps.limits.ip.consume(`ip:${clientIp}`, 'sign-in attempts from your address'));
    const email = emailOf(json);
    if (email) {
      await limited(deps, 'auth_account', () =>
        deps.limits.account.consume(`account:${email}`, 'sign-in attempts for this account'),
      );
    }
  }

  const endsSessions = post && SESSION_ENDING.has(url.pathname);
  const checksPassword = post && PASSWORD_ROUTES.has(url.pathname);
  if (checksPassword) {
    await limited(deps, 'auth_ip', () => deps.limits.ip.consume(`ip:${clientIp}`, 'password attempts from your address'));
  }
  const before = endsSessions || checksPassword ? await getSession(deps.auth, req.headers) : null;
  if (checksPassword && before) {
    const email = before.user.email.trim().toLowerCase();
    await limited(deps, 'auth_account', () => deps.limits.account.consume(`account:${email}`, 'password attempts for this account'));
  }
  if ((checksPassword || (post && CREDENTIAL_ROUTES.has(url.pathname))) && deps.hashingSaturated()) {
    deps.metrics.passwordHashesRefused.inc();
    throw busy();
  }

  const headers = fromNodeHeaders(req.headers);
  for (const name of CLIENT_ADDRESS_HEADERS) headers.delete(name);
  headers.set(CLIENT_IP_HEADER, clientIp);
  const response = await deps.auth.handler(
    new Request(url, { method: req.method ?? 'GET', headers, body: body ? new Uint8Array(body) : undefined }),
  );
  const answer = Buffer.from(await response.arrayBuffer());
  // Better Auth answers an unknown path with an empty 404: give it the API's error shape.
  if (response.status === 404 && answer.length === 0) {
    throw new AppError('not_found', `There is no auth route ${req.method ?? 'GET'} ${url.pathname}.`);
  }
  // The hashing queue filled up after the check above (the hasher refused): the same 503.
  if (response.status === 503) throw busy();
  res.statusCode = response.status;
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') res.setHeader(key, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
  res.setHeader('Cache-Control', 'no-store');
  res.end(answer);

  if (before && endsSessions && response.ok) deps.onSessionsChanged(before.userId);
}

function busy(): AppError {
  return new AppError('unavailable', 'The server is busy checking passwords. Please try again in a moment.', {
    retryAfterS: HASH_QUEUE_RETRY_AFTER_S,
  });
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
