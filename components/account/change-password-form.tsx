'use client';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { authClient, authErrorMessage } from '@/components/auth/auth-client';
import { formText } from '@/components/ui/form-text';
import { FormError, FormField } from '@/components/ui/form-field';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/auth-rules';

export function ChangePasswordForm() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const currentPassword = formText(form, 'currentPassword');
    const newPassword = formText(form, 'newPassword');
    if (newPassword.length < PASSWORD_MIN_LENGTH || newPassword.length > PASSWORD_MAX_LENGTH) {
      setError(`The new password must have ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`);
      return;
    }
    setError(null);
    setPending(true);
    const result = await authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions: true });
    setPending(false);
    if (result.error) {
      setError(result.error.status === 400 ? 'The current password is not right.' : authErrorMessage(result.error));
      return;
    }
    formElement.reset();
    toast.success('Password changed. Other devices have been signed out.');
  }

  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-3" aria-labelledby="password-title">
      <h2 id="password-title" className="font-medium">
        Change password
      </h2>
      <FormError message={error} />
      <FormField label="Current password" name="currentPassword" type="password" autoComplete="current-password" required />
      <FormField label="New password" name="newPassword" type="password" autoComplete="new-password" required hint={`At least ${PASSWORD_MIN_LENGTH} characters.`} />
      <button type="submit" className="btn" disabled={pending}>
        {pending ? 'Saving…' : 'Change password'}
      </button>
    </form>
  );
}
