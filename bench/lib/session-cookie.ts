import { createHmac, randomBytes } from 'node:crypto';

/** The session cookie's name over plain http (no `__Secure-` prefix without an https PUBLIC_URL). */
export const SESSION_COOKIE = 'better-auth.session_token';

/** A session token shaped like Better Auth's own (32 alphanumerics). */
export function newSessionToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(32), (byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * The `Cookie` header a browser would send for the session `token`, signed as Better Auth signs
 * it (better-call's signCookieValue: `<token>.<base64 HMAC-SHA256 of token>`, URI-encoded), so
 * sessions written straight into the database are accepted without a sign-in per user.
 */
export function sessionCookieHeader(token: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(token).digest('base64');
  return `${SESSION_COOKIE}=${encodeURIComponent(`${token}.${signature}`)}`;
}
