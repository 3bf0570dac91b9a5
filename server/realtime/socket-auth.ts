import type { Socket } from 'socket.io';
import type { Auth } from '../auth/create-auth.ts';
import { getSession } from '../auth/get-session.ts';
import type { Logger } from '../logger.ts';
import type { RealtimeSocket } from './types.ts';

/**
 * The one `io.use()` middleware: resolves the session from the handshake's cookie, exactly as
 * pages do, and refuses the connection without a valid one (the client sees `connect_error`
 * with message `unauthorized`).
 */
export function createSocketAuth(auth: Auth, logger: Logger) {
  return async (socket: Socket, next: (error?: Error) => void): Promise<void> => {
    try {
      const session = await getSession(auth, socket.request.headers);
      if (!session) {
        next(new Error('unauthorized'));
        return;
      }
      const data = (socket as RealtimeSocket).data;
      data.userId = session.userId;
      data.sessionId = session.sessionId;
      data.sessionExpiresAt = session.expiresAt.getTime();
      next();
    } catch (error) {
      logger.error({ err: error }, 'socket authentication failed');
      next(new Error('unavailable'));
    }
  };
}
