'use client';
import { useState } from 'react';
import { toast } from 'sonner';
import { useSocket } from '@/components/realtime/socket-provider';
import { authErrorMessage } from './auth-client';

type AuthResult = { error: Parameters<typeof authErrorMessage>[0] };

/**
 * Runs an auth call that ends this page's session (sign-out, sign-out everywhere), then closes
 * the socket for good and goes to sign-in. On failure the page stays, with a toast.
 */
export function useEndSession(end: () => Promise<AuthResult>) {
  const [pending, setPending] = useState(false);
  const { leave, endingSession } = useSocket();
  async function run(): Promise<void> {
    setPending(true);
    const stay = endingSession();
    const { error } = await end();
    if (error) {
      stay();
      setPending(false);
      toast.error(authErrorMessage(error));
      return;
    }
    leave();
    window.location.assign('/sign-in');
  }
  return { pending, run };
}
