'use client';
import { displayDecimals, formatAverage, formatPrice, quoteCurrency } from '@/lib/market/decimal';
import { describeAsOf, formatWindow, formatWindowLong } from '@/lib/market/time';
import type { PriceTick } from '@/lib/realtime/events';

export interface MarketFiguresProps {
  product: string;
  latest: PriceTick | null;
  windowMs: number;
  nowMs: number;
}

/** The latest numbers as text, exactly as the server computed them, and how old they are. */
export function MarketFigures({ product, latest, windowMs, nowMs }: MarketFiguresProps) {
  const span = formatWindow(windowMs);
  const currency = quoteCurrency(product);
  const unit = currency ? ` (${currency})` : '';
  const dp = displayDecimals(latest?.last);
  const asOf = latest ? describeAsOf(latest.time, nowMs) : null;
  const figures = [
    { id: 'market-last', label: `Last${unit}`, value: latest ? formatPrice(latest.last) : '—' },
    { id: 'market-mean', label: `Mean, ${span}${unit}`, value: latest ? formatAverage(latest.mean, dp) : '—' },
    { id: 'market-vwap', label: `VWAP, ${span}${unit}`, value: latest ? formatAverage(latest.vwap, dp) : '—' },
    { id: 'market-count', label: `Trades in ${span}`, value: latest ? latest.count.toLocaleString('en-US') : '—' },
  ];

  return (
    <div className="space-y-2">
      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
        {figures.map((f) => (
          <div key={f.id}>
            <dt className="text-xs text-slate-500 dark:text-slate-400">{f.label}</dt>
            <dd className="text-xl font-semibold tabular-nums" data-testid={f.id}>
              {f.value}
            </dd>
          </div>
        ))}
      </dl>
      <p
        data-testid="market-as-of"
        data-quiet={asOf?.quiet ? 'true' : 'false'}
        className={`text-sm ${asOf?.quiet ? 'font-medium text-amber-700 dark:text-amber-300' : 'text-slate-500 dark:text-slate-400'}`}
      >
        {asOf ? capitalize(asOf.text) : latest ? `As of ${latest.time}` : 'No trades yet.'}
      </p>
      {latest && !latest.warm && (
        <p data-testid="market-warming" className="text-sm text-amber-700 dark:text-amber-300">
          Warming up: the average covers less than {formatWindowLong(windowMs)}.
        </p>
      )}
    </div>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
