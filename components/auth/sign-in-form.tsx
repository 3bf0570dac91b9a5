'use client';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { formText } from '@/components/ui/form-text';
import { FormError, FormField } from '@/components/ui/form-field';
import { authClient, authErrorMessage } from './auth-client';
import { type CredentialErrors, checkCredentials } from './credentials-check';

export function SignInForm({ next, notice }: { next: string; notice: string | null }) {
  const [errors, setErrors] = useState<CredentialErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = formText(form, 'email').trim();
    const password = formText(form, 'password');
    const found = checkCredentials(email, password, false);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    const { error } = await authClient.signIn.email({ email, password });
    if (error) {
      setPending(false);
      setFormError(error.status === 401 ? 'Wrong email or password.' : authErrorMessage(error));
      return;
    }
    window.location.assign(next);
  }

  return (
    <form method="post" onSubmit={onSubmit} noValidate className="card space-y-4" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title" className="text-lg font-semibold">
        Sign in
      </h1>
      {notice ? <p className="rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-800 dark:bg-sky-950 dark:text-sky-200">{notice}</p> : null}
      <FormError message={formError} />
      <FormField label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
      <FormField label="Password" name="password" type="password" autoComplete="current-password" required error={errors.password} />
      <button className="btn w-full" type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="text-center text-sm text-slate-500">
        New here?{' '}
        <Link className="font-medium text-sky-600 hover:underline" href="/sign-up">
          Create an account
        </Link>
      </p>
    </form>
  );
}
