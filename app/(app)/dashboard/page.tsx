import type { Metadata } from 'next';
import { AlertForm } from '@/components/alerts/alert-form';
import { AlertList } from '@/components/alerts/alert-list';
import { AlertMarketPanel } from '@/components/alerts/alert-market-panel';
import { BrowserNotificationsToggle } from '@/components/alerts/browser-notifications';
import { AlertsDashboardProvider } from '@/components/alerts/dashboard-context';
import { currentUser } from '../current-user';

export const metadata: Metadata = { title: 'Dashboard · Tickwatch' };

export default async function DashboardPage() {
  const user = await currentUser();
  return (
    <AlertsDashboardProvider>
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold" data-testid="dashboard-title">
          Welcome, {user.name}
        </h1>
        <AlertMarketPanel />
        <section className="card space-y-4" aria-labelledby="alerts-title">
          {/* The opt-in sits by the title, clear of the toasts in the bottom-right corner. */}
          <div className="flex flex-wrap items-start gap-x-8 gap-y-2">
            <h2 id="alerts-title" className="font-medium">
              Your alerts
            </h2>
            <BrowserNotificationsToggle />
          </div>
          <div className="grid gap-8 lg:grid-cols-[minmax(0,22rem)_minmax(0,1fr)]">
            <AlertForm />
            <AlertList />
          </div>
        </section>
      </div>
    </AlertsDashboardProvider>
  );
}
