'use client';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { formText } from '@/components/ui/form-text';
import { FormError, FormField } from '@/components/ui/form-field';
import { PASSWORD_MIN_LENGTH } from '@/lib/auth-rules';
import { authClient, authErrorMessage } from './auth-client';
import { type CredentialErrors, checkCredentials } from './credentials-check';

export function SignUpForm() {
  const [errors, setErrors] = useState<CredentialErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = formText(form, 'email').trim();
    const password = formText(form, 'password');
    const name = formText(form, 'name').trim() || email.split('@')[0] || email;
    const found = checkCredentials(email, password, true);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    const { error } = await authClient.signUp.email({ email, password, name });
    if (error) {
      setPending(false);
      setFormError(
        error.code?.startsWith('USER_ALREADY_EXISTS')
          ? 'An account with this email already exists. Sign in instead.'
          : authErrorMessage(error),
      );
      return;
    }
    window.location.assign('/dashboard');
  }

  return (
    <form method="post" onSubmit={onSubmit} noValidate className="card space-y-4" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title" className="text-lg font-semibold">
        Create your account
      </h1>
      <FormError message={formError} />
      <FormField label="Name (optional)" name="name" type="text" autoComplete="name" maxLength={80} />
      <FormField label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
      <FormField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        error={errors.password}
        hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
      />
      <button className="btn w-full" type="submit" disabled={pending}>
        {pending ? 'Creating account…' : 'Create account'}
      </button>
      <p className="text-center text-sm text-slate-500">
        Already have an account?{' '}
        <Link className="font-medium text-sky-600 hover:underline" href="/sign-in">
          Sign in
        </Link>
      </p>
    </form>
  );
}
