'use client';
import { authClient } from './auth-client';
import { useEndSession } from './use-end-session';

export function SignOutButton() {
  const { pending, run } = useEndSession(() => authClient.signOut());
  return (
    <button type="button" className="btn-secondary px-3 py-1.5" onClick={run} disabled={pending}>
      Sign out
    </button>
  );
}
