import type { Metadata } from 'next';
import { ChangePasswordForm } from '@/components/account/change-password-form';
import { DeleteAccount, SignOutEverywhere } from '@/components/account/session-actions';
import { currentUser } from '../current-user';

export const metadata: Metadata = { title: 'Account · Tickwatch' };

export default async function AccountPage() {
  const user = await currentUser();
  return (
    <div className="max-w-xl space-y-6">
      <h1 className="text-2xl font-semibold">Account</h1>
      <p className="text-sm text-slate-500">
        Signed in as <span className="font-medium text-slate-900 dark:text-slate-100">{user.email}</span>
      </p>
      <section className="card">
        <ChangePasswordForm />
      </section>
      <section className="card">
        <SignOutEverywhere />
      </section>
      <section className="card">
        <DeleteAccount />
      </section>
    </div>
  );
}
