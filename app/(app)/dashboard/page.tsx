import type { Metadata } from 'next';
import { MarketPanel } from '@/components/market/market-panel';
import { currentUser } from '../current-user';

export const metadata: Metadata = { title: 'Dashboard · Tickwatch' };

export default async function DashboardPage() {
  const user = await currentUser();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold" data-testid="dashboard-title">
        Welcome, {user.name}
      </h1>
      <MarketPanel />
      <section className="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title" className="font-medium">
          Your alerts
        </h2>
        <p className="mt-2 text-sm text-slate-500" data-testid="alerts-empty">
          You have no alerts yet.
        </p>
      </section>
    </div>
  );
}
