'use client';
import { RANGES, type RangeId } from '@/lib/market/api';

export interface MarketControlsProps {
  products: readonly string[];
  product: string | null;
  onProduct: (product: string) => void;
  range: RangeId;
  onRange: (range: RangeId) => void;
  showVwap: boolean;
  onShowVwap: (show: boolean) => void;
}

/** Product (when there is a choice), chart range, and the VWAP line. */
export function MarketControls({ products, product, onProduct, range, onRange, showVwap, onShowVwap }: MarketControlsProps) {
  return (
    <div className="flex flex-wrap items-center gap-4">
      {products.length > 1 && (
        <label className="flex items-center gap-2 text-sm">
          <span>Product</span>
          <span className="w-36">
            <select className="field" data-testid="product-select" value={product ?? ''} onChange={(e) => onProduct(e.currentTarget.value)}>
              {products.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </span>
        </label>
      )}
      <div role="group" aria-label="Chart range" className="flex gap-1">
        {RANGES.map((r) => (
          <button
            key={r.id}
            type="button"
            aria-pressed={range === r.id}
            data-testid={`range-${r.id}`}
            className={range === r.id ? 'btn' : 'btn-secondary'}
            onClick={() => onRange(r.id)}
          >
            {r.label}
          </button>
        ))}
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" data-testid="vwap-toggle" checked={showVwap} onChange={(e) => onShowVwap(e.currentTarget.checked)} />
        Show VWAP
      </label>
    </div>
  );
}
