import { describe, expect, it } from 'vitest';
import { parseTrade } from '../../../../server/stream/parse-trade.ts';
import type { RawTrade } from '../../../../server/stream/types.ts';

const RAW: RawTrade = {
  product: 'BTC-USD',
  tradeId: 1_099_995_624,
  time: '2026-09-29T13:45:58.467935Z',
  price: '84149.24',
  size: '0.00000021',
  side: 'buy',
};

function reasonFor(change: Partial<Record<keyof RawTrade, unknown>>): string {
  const result = parseTrade({ ...RAW, ...change } as RawTrade);
  if (result.ok) throw new Error(`expected ${JSON.stringify(change)} to be refused`);
  return result.reason;
}

describe('parseTrade', () => {
  it('converts a feed trade and keeps its strings as sent', () => {
    const result = parseTrade(RAW);
    expect(result).toEqual({
      ok: true,
      trade: {
        ...RAW,
        timeUs: Date.UTC(2026, 8, 29, 13, 45, 58) * 1000 + 467_935,
        priceUnits: 8_414_924_000_000n,
        sizeUnits: 21n,
      },
    });
  });

  it('accepts REST prices padded to 8 decimals and the sell side', () => {
    const result = parseTrade({ ...RAW, price: '67143.18000000', size: '0.06469797', side: 'sell' });
    expect(result.ok && result.trade.priceUnits).toBe(6_714_318_000_000n);
    expect(result.ok && result.trade.price).toBe('67143.18000000');
  });

  it('accepts a price of exactly 1e12 and refuses anything above', () => {
    expect(parseTrade({ ...RAW, price: '1000000000000' }).ok).toBe(true);
    expect(reasonFor({ price: '1000000000000.00000001' })).toBe('price is above 1e12');
  });

  it('refuses a price or size that is zero or not a plain decimal', () => {
    expect(reasonFor({ price: '0' })).toBe('price is not positive');
    expect(reasonFor({ price: '0.00000000' })).toBe('price is not positive');
    expect(reasonFor({ size: '0.0' })).toBe('size is not positive');
    for (const price of ['-1', '1e3', 'abc', '', ' 1', '1.000000001', 12]) {
      expect(reasonFor({ price })).toBe('price is not a plain decimal with at most 8 decimals');
    }
    for (const size of ['-0.1', '1E-8', 'x', '0.000000001']) {
      expect(reasonFor({ size })).toBe('size is not a plain decimal with at most 8 decimals');
    }
  });

  it('refuses a trade id that is not a positive safe integer', () => {
    for (const tradeId of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '12', null]) {
      expect(reasonFor({ tradeId })).toBe('trade id is not a positive integer');
    }
    expect(parseTrade({ ...RAW, tradeId: Number.MAX_SAFE_INTEGER }).ok).toBe(true);
  });

  it('refuses a side other than buy or sell', () => {
    for (const side of ['BUY', 'Sell', '', 'bid', undefined]) expect(reasonFor({ side })).toBe('side is neither buy nor sell');
  });

  it('refuses a bad time', () => {
    for (const time of ['2026-09-29T13:45:58.467935', '2026-02-30T00:00:00Z', '1999-01-01T00:00:00Z', 'now', 1_700_000_000]) {
      expect(reasonFor({ time })).toBe('time is not a UTC time between 2000 and 2200');
    }
  });

  it('refuses a missing product', () => {
    expect(reasonFor({ product: '' })).toBe('product is missing');
    expect(reasonFor({ product: undefined })).toBe('product is missing');
  });
});
