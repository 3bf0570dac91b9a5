import type { IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RealtimeSocket } from './types.ts';

/** How many realtime connections one account and one client address may hold. */
export interface ConnectionLimitSettings {
  /** Authenticated sockets per account (`SOCKET_LIMIT_ACCOUNT`). */
  perAccount: number;
  /** Authenticated sockets per client address (`SOCKET_LIMIT_IP`). */
  perIp: number;
  /**
   * engine.io connections per client address that carry no authenticated socket: handshaking,
   * refused, or polling sessions that never joined (`SOCKET_LIMIT_IP_ANONYMOUS`).
   */
  anonymousPerIp: number;
}

/** The `data.code` of every `connect_error` a cap causes; its `message` is a sentence. */
export const CONNECTION_LIMIT_CODE = 'connection_limit';

interface EngineConnection {
  request: IncomingMessage;
  readyState: string;
  once(event: 'close', listener: () => void): unknown;
  close(discard?: boolean): void;
}

interface EngineServer {
  on(event: 'connection', listener: (conn: EngineConnection) => void): unknown;
  on(event: 'connection_error', listener: (error: { req: IncomingMessage }) => void): unknown;
}

function refusal(message: string): Error {
  return Object.assign(new Error(message), { data: { code: CONNECTION_LIMIT_CODE } });
}

/**
 * Caps what one account and one client address can hold open. engine.io connections are counted
 * per address from the handshake (`allowRequest`) to their close, so cookie-less WebSockets and
 * polling sessions that never join are bounded too (and closed by Socket.IO's `connectTimeout`);
 * authenticated sockets are counted per account and per address in the middleware. Every
 * count is reserved before the connection is admitted and released exactly once when it ends,
 * however it ends (a handshake that fails half-way included). One connection carries at most
 * one socket: a second CONNECT on it is refused, and a socket's end closes its connection.
 */
export function createConnectionLimits(
  limits: ConnectionLimitSettings,
  deps: { metrics: Metrics; logger: Logger; connectTimeoutMs: number; addressOf: (req: IncomingMessage) => string },
) {
  const log = deps.logger.child({ module: 'connection-limits' });
  /** Per address: open engine.io connections, and authenticated sockets among them. */
  const byIp = new Map<string, { open: number; sockets: number }>();
  const byAccount = new Map<string, number>();
  /** Handshakes admitted whose engine.io connection does not exist yet, with their release. */
  const pending = new WeakMap<IncomingMessage, { release: () => void; onClose: () => void }>();
  /** engine.io connections that have sent their one CONNECT. */
  const joined = new WeakSet<object>();
  /** engine.io connections carrying an admitted socket. */
  const admitted = new WeakSet<object>();

  function counts(ip: string) {
    let c = byIp.get(ip);
    if (!c) byIp.set(ip, (c = { open: 0, sockets: 0 }));
    return c;
  }

  function change(ip: string, open: number, sockets: number): void {
    const c = counts(ip);
    c.open += open;
    c.sockets += sockets;
    if (c.open <= 0 && c.sockets <= 0) byIp.delete(ip);
  }

  function refuse(limit: string, detail: object): void {
    deps.metrics.socketsRefused.inc({ limit });
    // Debug only: a flood of refusals must not become a flood of log lines.
    log.debug({ limit, ...detail }, 'realtime connection refused');
  }

  function settle(req: IncomingMessage): { release: () => void; onClose: () => void } | undefined {
    const entry = pending.get(req);
    if (!entry) return undefined;
    pending.delete(req);
    req.socket.off('close', entry.onClose);
    return entry;
  }

  return {
    /**
     * For engine.io's `allowRequest` on a new handshake: null admits it (and reserves its place),
     * otherwise the sentence engine.io answers with (HTTP 403 for polling, 400 for WebSocket).
     */
    admitHandshake(req: IncomingMessage): string | null {
      const ip = deps.addressOf(req);
      const c = byIp.get(ip);
      if (c && c.open - c.sockets >= limits.anonymousPerIp) {
        refuse('anonymous_ip', { ip });
        return `Too many unauthenticated realtime connections from this address (at most ${limits.anonymousPerIp}); try again in a few seconds.`;
      }
      change(ip, 1, 0);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        change(ip, -1, 0);
      };
      // Until engine.io makes a connection of it, the request's TCP socket closing ends it.
      const onClose = (): void => settle(req)?.release();
      req.socket.once('close', onClose);
      pending.set(req, { release, onClose });
      return null;
    },

    /** Ties each reservation to the engine.io connection made of it, or ends it with the handshake's failure. */
    watchEngine(engine: EngineServer): void {
      engine.on('connection', (conn) => {
        const entry = settle(conn.request);
        if (entry) conn.once('close', entry.release);
        // The connect timeout. Socket.IO's own (kept later, as a fallback) closes politely, which
        // for a polling session that never polls again waits for engine.io's 30 s close timeout:
        // a connection that has not joined by now is dropped at once instead.
        const timer = setTimeout(() => {
          if (!admitted.has(conn) && conn.readyState === 'open') conn.close(true);
        }, deps.connectTimeoutMs);
        timer.unref();
        conn.once('close', () => clearTimeout(timer));
      });
      engine.on('connection_error', ({ req }) => settle(req)?.release());
    },

    /** `io.use()` before authentication: one CONNECT per engine.io connection (no sockets multiplied while auth is pending). */
    oneSocketPerConnection(socket: Socket, next: (error?: Error) => void): void {
      if (joined.has(socket.conn)) {
        refuse('duplicate', { ip: deps.addressOf(socket.request) });
        next(refusal('This connection already carries a socket; open a new connection instead.'));
        return;
      }
      joined.add(socket.conn);
      next();
    },

    /** `io.use()` after authentication: the caps per account and per address. */
    admitSocket(raw: Socket, next: (error?: Error) => void): void {
      const socket = raw as RealtimeSocket;
      // Closed while authenticating: Socket.IO drops it without a disconnect, so count nothing.
      if (socket.conn.readyState !== 'open') {
        next(refusal('The connection closed while joining.'));
        return;
      }
      const ip = deps.addressOf(socket.request);
      const { userId } = socket.data;
      if ((byAccount.get(userId) ?? 0) >= limits.perAccount) {
        refuse('account', { userId });
        next(refusal(`Too many connections for this account: at most ${limits.perAccount} at once. Close some tabs and try again.`));
        return;
      }
      if ((byIp.get(ip)?.sockets ?? 0) >= limits.perIp) {
        refuse('ip', { ip });
        next(refusal(`Too many connections from this address: at most ${limits.perIp} at once.`));
        return;
      }
      byAccount.set(userId, (byAccount.get(userId) ?? 0) + 1);
      change(ip, 0, 1);
      admitted.add(socket.conn);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        const left = (byAccount.get(userId) ?? 1) - 1;
        if (left > 0) byAccount.set(userId, left);
        else byAccount.delete(userId);
        change(ip, 0, -1);
        // The connection has no other use; left open it would sit there unaccounted.
        socket.conn.close();
      };
      socket.once('disconnect', release);
      socket.conn.once('close', release);
      next();
    },

    /** Current counts (tests, diagnostics): addresses and accounts holding anything. */
    snapshot: () => ({ addresses: byIp.size, accounts: byAccount.size }),
  };
}

export type ConnectionLimits = ReturnType<typeof createConnectionLimits>;
