'use client';
import { type ReactNode, createContext, useContext, useEffect, useState } from 'react';
import { type Socket, io } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/events';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'signed-out';

interface SocketContextValue {
  socket: AppSocket | null;
  state: ConnectionState;
}

const SocketContext = createContext<SocketContextValue>({ socket: null, state: 'connecting' });

/**
 * Owns the page's single Socket.IO connection, authenticated by the session cookie. When the
 * server refuses or ends the session (sign-out elsewhere, expiry), the visitor is sent to sign-in.
 */
export function SocketProvider({ children }: { children: ReactNode }) {
  const [value, setValue] = useState<SocketContextValue>({ socket: null, state: 'connecting' });

  useEffect(() => {
    const socket: AppSocket = io({ withCredentials: true });
    const set = (state: ConnectionState) => setValue({ socket, state });
    const toSignIn = () => {
      set('signed-out');
      window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
    };
    socket.on('connect', () => set('connected'));
    socket.on('connect_error', (error) => (error.message === 'unauthorized' ? toSignIn() : set('reconnecting')));
    socket.on('disconnect', (reason) => (reason === 'io server disconnect' ? toSignIn() : set('reconnecting')));
    set('connecting');
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);

  return <SocketContext.Provider value={value}>{children}</SocketContext.Provider>;
}

/** The page's socket and its connection state. */
export function useSocket(): SocketContextValue {
  return useContext(SocketContext);
}
