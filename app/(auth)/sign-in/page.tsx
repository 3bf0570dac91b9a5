import type { Metadata } from 'next';
import { SignInForm } from '@/components/auth/sign-in-form';
import { safeNextPath } from '@/lib/safe-next-path';

export const metadata: Metadata = { title: 'Sign in · Tickwatch' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  const notice = params.deleted === '1' ? 'Your account and everything it owned has been deleted.' : null;
  return <SignInForm next={next} notice={notice} />;
}
