'use client';
import { useState } from 'react';
import { toast } from 'sonner';
import { useSocket } from '@/components/realtime/socket-provider';
import { authClient, authErrorMessage } from './auth-client';

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  const { leave } = useSocket();
  async function signOut() {
    setPending(true);
    const { error } = await authClient.signOut();
    if (error) {
      setPending(false);
      toast.error(authErrorMessage(error));
      return;
    }
    leave();
    window.location.assign('/sign-in');
  }
  return (
    <button type="button" className="btn-secondary px-3 py-1.5" onClick={signOut} disabled={pending}>
      Sign out
    </button>
  );
}
