'use client';
import { type FormEvent, useState } from 'react';
import { authClient, authErrorMessage } from '@/components/auth/auth-client';
import { useSocket } from '@/components/realtime/socket-provider';
import { useEndSession } from '@/components/auth/use-end-session';
import { formText } from '@/components/ui/form-text';
import { FormError, FormField } from '@/components/ui/form-field';

/** Ends every session of this account, this one included. */
export function SignOutEverywhere() {
  const { pending, run } = useEndSession(() => authClient.revokeSessions());
  return (
    <div className="space-y-2">
      <h2 className="font-medium">Sign out everywhere</h2>
      <p className="text-sm text-slate-500">Ends every session of this account, on every device, including this one.</p>
      <button type="button" className="btn-secondary" onClick={run} disabled={pending}>
        Sign out everywhere
      </button>
    </div>
  );
}

/** Deletes the account and everything it owns, after the password is confirmed. */
export function DeleteAccount() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const { leave, endingSession } = useSocket();
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = formText(new FormData(event.currentTarget), 'deletePassword');
    if (!password) {
      setError('Enter your password to confirm.');
      return;
    }
    setError(null);
    setPending(true);
    const stay = endingSession();
    const result = await authClient.deleteUser({ password });
    if (result.error) {
      stay();
      setPending(false);
      setError(result.error.status === 400 ? 'The password is not right.' : authErrorMessage(result.error));
      return;
    }
    leave();
    window.location.assign('/sign-in?deleted=1');
  }
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-3" aria-labelledby="delete-title">
      <h2 id="delete-title" className="font-medium text-red-600">
        Delete account
      </h2>
      <p className="text-sm text-slate-500">Removes your account, alerts and notifications for good.</p>
      <FormError message={error} />
      <FormField label="Confirm with your password" name="deletePassword" type="password" autoComplete="current-password" required />
      <button type="submit" className="btn-danger" disabled={pending}>
        {pending ? 'Deleting…' : 'Delete my account'}
      </button>
    </form>
  );
}
