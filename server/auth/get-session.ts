import type { IncomingHttpHeaders } from 'node:http';
import { fromNodeHeaders } from 'better-auth/node';
import type { Auth } from './create-auth.ts';

export interface SessionInfo {
  userId: string;
  sessionId: string;
  expiresAt: Date;
  user: { id: string; email: string; name: string };
}

/**
 * Resolves the session named by the request's cookie, or `null` for no cookie, a forged or
 * expired one, or a signed-out session. Always asks the database (no cookie cache).
 */
export async function getSession(auth: Auth, headers: IncomingHttpHeaders | Headers): Promise<SessionInfo | null> {
  const result = await auth.api.getSession({
    headers: headers instanceof Headers ? headers : fromNodeHeaders(headers),
    query: { disableCookieCache: true, disableRefresh: false },
  });
  if (!result) return null;
  const { session, user } = result;
  return {
    userId: user.id,
    sessionId: session.id,
    expiresAt: new Date(session.expiresAt),
    user: { id: user.id, email: user.email, name: user.name },
  };
}
