'use client';
import { type ReactNode, createContext, useContext, useEffect, useRef, useState } from 'react';
import { type Socket, io } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/events';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'signed-out';

interface SocketContextValue {
  socket: AppSocket | null;
  state: ConnectionState;
  /** Closes the connection for good before this page ends its own session (sign-out, deletion). */
  leave: () => void;
}

const SocketContext = createContext<SocketContextValue>({ socket: null, state: 'connecting', leave: () => undefined });

/**
 * Owns the page's single Socket.IO connection, authenticated by the session cookie. When the
 * server drops it (a session ended or was replaced, e.g. by a password change), it connects
 * again once with the current cookie; if that is refused the visitor is sent to sign-in.
 */
export function SocketProvider({ children }: { children: ReactNode }) {
  const [socket, setSocket] = useState<AppSocket | null>(null);
  const [state, setState] = useState<ConnectionState>('connecting');
  const leaving = useRef(false);

  useEffect(() => {
    const client: AppSocket = io({ withCredentials: true });
    const toSignIn = () => {
      setState('signed-out');
      if (leaving.current) return;
      window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
    };
    client.on('connect', () => setState('connected'));
    client.on('connect_error', (error) => (error.message === 'unauthorized' ? toSignIn() : setState('reconnecting')));
    client.on('disconnect', (reason) => {
      setState('reconnecting');
      // The server only drops a socket whose session ended; the cookie may hold a newer one.
      if (reason === 'io server disconnect' && !leaving.current) client.connect();
    });
    setSocket(client);
    return () => {
      client.removeAllListeners();
      client.disconnect();
    };
  }, []);

  const leave = () => {
    leaving.current = true;
    socket?.disconnect();
  };

  return <SocketContext.Provider value={{ socket, state, leave }}>{children}</SocketContext.Provider>;
}

/** The page's socket and its connection state. */
export function useSocket(): SocketContextValue {
  return useContext(SocketContext);
}
