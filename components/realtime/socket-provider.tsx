'use client';
import { type ReactNode, createContext, useContext, useEffect, useRef, useState } from 'react';
import { type Socket, io } from 'socket.io-client';
import type { PageConnection } from '@/lib/realtime/connection';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/events';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = PageConnection['state'];

interface SocketContextValue extends PageConnection {
  socket: AppSocket | null;
  /** Closes the connection for good before this page ends its own session (sign-out, deletion). */
  leave: () => void;
  /**
   * This page is about to end its own session: until it leaves, the server dropping its socket
   * is expected, not a reason to go to sign-in by itself (which would race the page's own way
   * out). Returns `stay()`, for when ending the session failed: the socket connects again.
   */
  endingSession: () => () => void;
}

const SocketContext = createContext<SocketContextValue>({ socket: null, state: 'connecting', online: true, lostAtMs: null, leave: () => undefined, endingSession: () => () => undefined });

/**
 * Owns the page's single Socket.IO connection, authenticated by the session cookie. When the
 * server drops it (a session ended or was replaced, e.g. by a password change), it connects
 * again once with the current cookie; if that is refused the visitor is sent to sign-in. It also
 * follows whether the device is online and since when the page has been cut off (`lostAtMs`), so
 * the page can say that what it shows is not live.
 */
export function SocketProvider({ children }: { children: ReactNode }) {
  const [socket, setSocket] = useState<AppSocket | null>(null);
  const [state, setState] = useState<ConnectionState>('connecting');
  const [online, setOnline] = useState(true);
  const [lostAtMs, setLostAtMs] = useState<number | null>(null);
  const leaving = useRef(false);

  useEffect(() => {
    // WebSocket first: one connection to one node, so several nodes behind a round-robin
    // balancer need no sticky sessions (a long poll's requests could land on different nodes).
    // Long-polling remains the fallback where WebSocket cannot pass.
    const client: AppSocket = io({ withCredentials: true, transports: ['websocket', 'polling'], tryAllTransports: true });
    // Cut off from the moment the socket drops or the device goes offline, until both are back.
    const follow = () => {
      const up = client.connected && navigator.onLine;
      setOnline(navigator.onLine);
      setLostAtMs((since) => (up ? null : (since ?? Date.now())));
    };
    const toSignIn = () => {
      setState('signed-out');
      if (leaving.current) return;
      window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
    };
    client.on('connect', () => {
      setState('connected');
      follow();
    });
    client.on('connect_error', (error) => {
      if (error.message === 'unauthorized') return toSignIn();
      setState('reconnecting');
      follow();
    });
    client.on('disconnect', (reason) => {
      // Closed by this page on its way out (sign-out): it is not "reconnecting".
      if (leaving.current) return setState('signed-out');
      setState('reconnecting');
      follow();
      // The server only drops a socket whose session ended; the cookie may hold a newer one.
      if (reason === 'io server disconnect') client.connect();
    });
    window.addEventListener('online', follow);
    window.addEventListener('offline', follow);
    if (!navigator.onLine) follow();
    setSocket(client);
    return () => {
      window.removeEventListener('online', follow);
      window.removeEventListener('offline', follow);
      client.removeAllListeners();
      client.disconnect();
    };
  }, []);

  const leave = () => {
    leaving.current = true;
    socket?.disconnect();
  };
  const endingSession = () => {
    leaving.current = true;
    return () => {
      leaving.current = false;
      if (socket && !socket.connected) socket.connect();
    };
  };

  return <SocketContext.Provider value={{ socket, state, online, lostAtMs, leave, endingSession }}>{children}</SocketContext.Provider>;
}

/** The page's socket, its connection state, and whether (since when) the page is cut off. */
export function useSocket(): SocketContextValue {
  return useContext(SocketContext);
}
