/**
 * The signed-in user as the custom server hands it to pages: a request header set only by the
 * server (any incoming copy is removed first), read by server components with `headers()`.
 */
export const SESSION_USER_HEADER = 'x-tickwatch-user';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export function encodeSessionUser(user: SessionUser): string {
  return Buffer.from(JSON.stringify({ id: user.id, email: user.email, name: user.name })).toString('base64url');
}

/** Returns the user named by the header, or `null` when absent or unreadable. */
export function decodeSessionUser(value: string | null | undefined): SessionUser | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<SessionUser>;
    if (typeof parsed.id !== 'string' || typeof parsed.email !== 'string' || typeof parsed.name !== 'string') return null;
    return { id: parsed.id, email: parsed.email, name: parsed.name };
  } catch {
    return null;
  }
}
