'use client';
import { useState } from 'react';
import { ConnectionNotice } from '@/components/realtime/connection-notice';
import { useSocket } from '@/components/realtime/socket-provider';
import { averageLabel as averageLabelOf } from '@/lib/alerts/format';
import { RANGES } from '@/lib/market/api';
import { displayDecimals, formatAverage, formatPrice } from '@/lib/market/decimal';
import { isFeedUnreachable } from '@/lib/market/feed';
import { formatClock } from '@/lib/market/time';
import { describeConnectionLoss } from '@/lib/realtime/connection';
import type { PriceTick } from '@/lib/realtime/events';
import { FeedBadge, SimulatedBadge } from './feed-badge';
import { MarketControls } from './market-controls';
import { MarketFigures } from './market-figures';
import { type ChartThreshold, PriceChart } from './price-chart';
import { type MarketView, useMarket } from './use-market';
import { useNow } from './use-now';

export interface MarketPanelProps {
  /** The market state, when a parent owns it (so the page keeps one subscription); else its own. */
  market?: MarketView | undefined;
  /** Dashed lines on the chart, e.g. the armed alerts of the shown product. */
  thresholds?: readonly ChartThreshold[] | undefined;
}

/** The dashboard's market section: latest numbers, feed state and the live chart. */
export function MarketPanel({ market, thresholds }: MarketPanelProps) {
  return market ? <MarketPanelView market={market} thresholds={thresholds} /> : <OwnMarketPanel thresholds={thresholds} />;
}

function OwnMarketPanel({ thresholds }: { thresholds?: readonly ChartThreshold[] | undefined }) {
  const market = useMarket();
  return <MarketPanelView market={market} thresholds={thresholds} />;
}

function MarketPanelView({ market, thresholds }: { market: MarketView; thresholds?: readonly ChartThreshold[] | undefined }) {
  const now = useNow();
  const connection = useSocket();
  const [showVwap, setShowVwap] = useState(false);
  const { product, latest, feed, windowMs } = market;
  const averageLabel = averageLabelOf(windowMs);
  // Cut off from the server, the page knows nothing newer than the moment it lost the connection:
  // the numbers are dimmed and dated then, and the feed's last state is not shown as current.
  const loss = now > 0 ? describeConnectionLoss(connection, now) : null;
  const asOfMs = loss ? (connection.lostAtMs ?? now) : now;
  const unreachable = !loss && now > 0 && isFeedUnreachable(feed ?? undefined, latest, now);

  return (
    <section className="card space-y-4" aria-labelledby="market-title" data-testid="market-panel">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="market-title" className="font-medium">
          Market{product ? ` · ${product}` : ''}
        </h2>
        {market.simulated && <SimulatedBadge />}
        {market.status === 'ready' && product && <FeedBadge status={loss ? null : feed} pageOffline={loss !== null} />}
      </div>

      {loss && <ConnectionNotice loss={loss} />}

      {market.status === 'loading' && <p className="text-sm text-slate-500">Loading market data…</p>}
      {market.status === 'error' && (
        <div role="alert" className="flex flex-wrap items-center gap-3 text-sm text-red-700 dark:text-red-300">
          <span>{market.error}</span>
          <button type="button" className="btn-secondary" onClick={market.retry}>
            Try again
          </button>
        </div>
      )}
      {market.status === 'ready' && !product && <p className="text-sm text-slate-500">This server follows no products.</p>}

      {unreachable && (
        <p
          role="status"
          data-testid="feed-unreachable"
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
        >
          {market.simulated ? (
            'The simulated market feed cannot be reached from this server.'
          ) : (
            <>
              The Coinbase feed cannot be reached from this server. To try Tickwatch offline, run{' '}
              <code className="font-mono">npm run demo</code>, which serves simulated market data.
            </>
          )}
        </p>
      )}

      {market.status === 'ready' && product && windowMs !== null && (
        <>
          <div className={loss ? 'opacity-60' : undefined} data-live={loss ? 'false' : 'true'}>
            <MarketFigures product={product} latest={latest} windowMs={windowMs} nowMs={asOfMs} />
          </div>
          <MarketControls
            products={market.products}
            product={product}
            onProduct={market.selectProduct}
            range={market.range}
            onRange={market.selectRange}
            showVwap={showVwap}
            onShowVwap={setShowVwap}
          />
          {market.subscribeError && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              Live prices are not coming in: {market.subscribeError}
            </p>
          )}
          {market.history.error && (
            <p className="text-sm text-amber-700 dark:text-amber-300">
              The chart shows live trades only: {market.history.error}
            </p>
          )}
          <div className={loss ? 'opacity-60' : undefined}>
          <PriceChart
            points={market.points}
            averageLabel={averageLabel}
            showVwap={showVwap}
            decimals={displayDecimals(latest?.last)}
            thresholds={thresholds}
            summary={chartSummary(product, RANGES.find((r) => r.id === market.range)?.label ?? '', latest, averageLabel, showVwap, market.points.length)}
          />
          </div>
        </>
      )}
    </section>
  );
}

function chartSummary(product: string, range: string, latest: PriceTick | null, averageLabel: string, showVwap: boolean, count: number): string {
  const head = `${product} price chart, last ${range}`;
  if (!latest || count === 0) return `${head}: no trades to chart yet.`;
  const points = count === 1 ? '1 point' : `${count} points`;
  const dp = displayDecimals(latest.last);
  const vwap = showVwap ? `, VWAP ${formatAverage(latest.vwap, dp)}` : '';
  return `${head}, ${points}: last price ${formatPrice(latest.last)}, ${averageLabel} ${formatAverage(latest.mean, dp)}${vwap}, as of ${formatClock(Date.parse(latest.time))}.`;
}
