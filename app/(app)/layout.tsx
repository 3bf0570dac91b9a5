import type { ReactNode } from 'react';
import { AppHeader } from '@/components/layout/app-header';
import { SocketProvider } from '@/components/realtime/socket-provider';
import { currentUser } from './current-user';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <SocketProvider>
      <AppHeader email={user.email} />
      <main className="mx-auto max-w-6xl p-6">{children}</main>
    </SocketProvider>
  );
}
