import Link from 'next/link';
import { AlertNotifier } from '@/components/alerts/alert-notifier';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { InboxLink } from '@/components/inbox/inbox-link';
import { MarketInfoSync } from '@/components/market/market-info-sync';
import { ConnectionBadge } from '@/components/realtime/connection-badge';

export function AppHeader({ email }: { email: string }) {
  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-6 py-3">
        <Link href="/dashboard" className="text-lg font-semibold tracking-tight">
          <span className="text-sky-600">●</span> Tickwatch
        </Link>
        <nav aria-label="Main" className="flex gap-4 text-sm">
          <Link href="/dashboard" className="hover:text-sky-600">
            Dashboard
          </Link>
          <InboxLink />
          <Link href="/account" className="hover:text-sky-600">
            Account
          </Link>
        </nav>
        <div className="ml-auto flex items-center gap-4">
          <ConnectionBadge />
          <span data-testid="user-email" className="hidden text-sm text-slate-500 sm:inline">
            {email}
          </span>
          <SignOutButton />
        </div>
      </div>
      <MarketInfoSync />
      <AlertNotifier />
    </header>
  );
}
