import { describe, expect, it } from 'vitest';
import { type AlertCondition, createAlertIndex } from '../../../../server/stream/alert-index.ts';
import type { WindowState } from '../../../../server/stream/types.ts';

const T0 = 1_800_000_000_000_000;

/** Decimal string to units of 1e-8, written apart from the code under test. */
function units8(text: string): bigint {
  const [whole = '', fraction = ''] = text.split('.');
  return BigInt(whole + fraction.padEnd(8, '0'));
}

/** A window state over `trades` ([price, size] decimal strings), the last one being `last`. */
function windowOf(trades: [string, string][], options: { warm?: boolean; timeUs?: number; product?: string } = {}): WindowState {
  let sumPriceUnits = 0n;
  let sumPvUnits = 0n;
  let sumSizeUnits = 0n;
  for (const [price, size] of trades) {
    sumPriceUnits += units8(price);
    sumPvUnits += units8(price) * units8(size);
    sumSizeUnits += units8(size);
  }
  const last = trades[trades.length - 1]![0];
  const timeUs = options.timeUs ?? T0;
  return {
    product: options.product ?? 'BTC-USD',
    tradeId: 1,
    time: 'not read',
    timeUs,
    last,
    mean: 'not read',
    vwap: 'not read',
    count: trades.length,
    windowStartUs: timeUs - 600_000_000,
    windowEndUs: timeUs,
    warm: options.warm ?? true,
    sumPriceUnits,
    sumPvUnits,
    sumSizeUnits,
    lastUnits: units8(last),
  };
}

function condition(alertId: string, basis: AlertCondition['basis'], direction: AlertCondition['direction'], threshold: string, extra: Partial<AlertCondition> = {}): AlertCondition {
  return { alertId, product: 'BTC-USD', basis, direction, thresholdUnits: units8(threshold), ...extra };
}

function ids(list: readonly { alertId: string }[]): string[] {
  return list.map((c) => c.alertId);
}

describe('createAlertIndex', () => {
  it('fires both directions on exact equality, for every basis', () => {
    const index = createAlertIndex();
    // mean 60000.50, vwap 60000.75, last 60001.00
    const state = windowOf([
      ['60000.00', '0.5'],
      ['60001.00', '1.5'],
    ]);
    for (const [basis, value] of [['mean', '60000.50'], ['vwap', '60000.75'], ['last', '60001.00']] as const) {
      index.add(condition(`${basis}-above-eq`, basis, 'above', value));
      index.add(condition(`${basis}-below-eq`, basis, 'below', value));
      const above = (units8(value) + 1n).toString();
      index.add({ ...condition(`${basis}-above-1`, basis, 'above', '1'), thresholdUnits: BigInt(above) });
      index.add({ ...condition(`${basis}-below-1`, basis, 'below', '1'), thresholdUnits: units8(value) - 1n });
    }
    expect(ids(index.matching(state))).toEqual(['mean-above-eq', 'mean-below-eq', 'vwap-above-eq', 'vwap-below-eq', 'last-above-eq', 'last-below-eq']);
  });

  it('compares vwap in the right scale: sumPv (1e-16) against threshold (1e-8) times sumSize (1e-8)', () => {
    const index = createAlertIndex();
    // vwap = (100.00 * 0.00000001 + 200.00 * 0.00000003) / 0.00000004 = 175.00, the mean is 150.00.
    const state = windowOf([
      ['100.00', '0.00000001'],
      ['200.00', '0.00000003'],
    ]);
    index.add(condition('at', 'vwap', 'above', '175.00'));
    index.add(condition('cent-over', 'vwap', 'above', '175.00000001'));
    index.add(condition('mean-level', 'vwap', 'below', '150.00'));
    index.add(condition('under', 'vwap', 'below', '174.99999999'));
    index.add(condition('over', 'vwap', 'below', '175.00000001'));
    expect(ids(index.matching(state))).toEqual(['at', 'over']);
  });

  it('lets no mean or vwap condition fire while the window is not warm, but last ones do', () => {
    const index = createAlertIndex();
    index.add(condition('mean', 'mean', 'above', '1.00'));
    index.add(condition('vwap', 'vwap', 'above', '1.00'));
    index.add(condition('last', 'last', 'above', '1.00'));
    const trades: [string, string][] = [['100.00', '1']];
    expect(ids(index.matching(windowOf(trades, { warm: false })))).toEqual(['last']);
    expect(ids(index.matching(windowOf(trades, { warm: true })))).toEqual(['mean', 'vwap', 'last']);
  });

  it('matches only the state product, and an unknown product finds nothing', () => {
    const index = createAlertIndex();
    index.add(condition('btc', 'last', 'above', '1.00'));
    index.add({ ...condition('eth', 'last', 'above', '1.00'), product: 'ETH-USD' });
    expect(ids(index.matching(windowOf([['100', '1']], { product: 'ETH-USD' })))).toEqual(['eth']);
    expect(index.matching(windowOf([['100', '1']], { product: 'SOL-USD' }))).toEqual([]);
  });

  it('orders a group by threshold, then alertId', () => {
    const index = createAlertIndex();
    index.add(condition('b', 'last', 'above', '2.00'));
    index.add(condition('c', 'last', 'above', '1.00'));
    index.add(condition('a', 'last', 'above', '2.00'));
    expect(ids(index.matching(windowOf([['5', '1']])))).toEqual(['c', 'a', 'b']);
  });

  it('does not remove what matches; remove does, once', () => {
    const index = createAlertIndex();
    index.add(condition('x', 'last', 'below', '10.00'));
    const state = windowOf([['9.99', '1']]);
    expect(ids(index.matching(state))).toEqual(['x']);
    expect(ids(index.matching(state))).toEqual(['x']);
    expect(index.remove('x')).toBe(true);
    expect(index.remove('x')).toBe(false);
    expect(index.matching(state)).toEqual([]);
    expect(index.size()).toBe(0);
    expect(index.get('x')).toBeUndefined();
  });

  it('counts a condition from notBeforeUs on, and until before expiresAtUs', () => {
    const index = createAlertIndex();
    index.add(condition('cooling', 'last', 'above', '1.00', { notBeforeUs: T0 + 10 }));
    index.add(condition('expiring', 'last', 'above', '1.00', { expiresAtUs: T0 + 10 }));
    const at = (timeUs: number): string[] => ids(index.matching(windowOf([['5', '1']], { timeUs })));
    expect(at(T0 + 9)).toEqual(['expiring']);
    expect(at(T0 + 10)).toEqual(['cooling']);
  });

  it('lists expired conditions by expiry without removing them', () => {
    const index = createAlertIndex();
    index.add(condition('late', 'mean', 'above', '1.00', { expiresAtUs: T0 + 20 }));
    index.add(condition('soon', 'last', 'below', '1.00', { expiresAtUs: T0 + 10 }));
    index.add(condition('never', 'last', 'below', '1.00'));
    expect(index.nextExpiryUs()).toBe(T0 + 10);
    expect(ids(index.expired(T0 + 9))).toEqual([]);
    expect(ids(index.expired(T0 + 10))).toEqual(['soon']);
    expect(ids(index.expired(T0 + 99))).toEqual(['soon', 'late']);
    expect(ids(index.expired(T0 + 99))).toEqual(['soon', 'late']);
    index.remove('soon');
    expect(ids(index.expired(T0 + 99))).toEqual(['late']);
    expect(index.nextExpiryUs()).toBe(T0 + 20);
  });

  it('keeps a copy, so later changes to the input do not reach the index', () => {
    const index = createAlertIndex();
    const input = condition('x', 'last', 'above', '1.00');
    index.add(input);
    input.thresholdUnits = units8('1000');
    expect(index.get('x')?.thresholdUnits).toBe(units8('1.00'));
    expect(ids(index.matching(windowOf([['1.00', '1']])))).toEqual(['x']);
  });

  it('refuses malformed conditions and a repeated alertId', () => {
    const index = createAlertIndex();
    index.add(condition('x', 'last', 'above', '1.00'));
    expect(() => index.add(condition('x', 'last', 'below', '2.00'))).toThrow(/already indexed/);
    expect(() => index.add(condition('zero', 'last', 'above', '0'))).toThrow(RangeError);
    expect(() => index.add({ ...condition('b', 'last', 'above', '1'), basis: 'median' as 'mean' })).toThrow(RangeError);
    expect(() => index.add({ ...condition('d', 'last', 'above', '1'), direction: 'up' as 'above' })).toThrow(RangeError);
    expect(() => index.add(condition('t', 'last', 'above', '1', { notBeforeUs: 1.5 }))).toThrow(RangeError);
    expect(index.size()).toBe(1);
  });

  it('bulk-loads all or nothing, merging with what is held', () => {
    const index = createAlertIndex({ maxChunk: 4 });
    index.add(condition('held', 'last', 'above', '3.00'));
    expect(() => index.bulkLoad([condition('a', 'last', 'above', '1.00'), condition('a', 'last', 'above', '2.00')])).toThrow(/already indexed/);
    expect(() => index.bulkLoad([condition('b', 'last', 'above', '1.00'), condition('held', 'last', 'above', '2.00')])).toThrow(/already indexed/);
    expect(index.size()).toBe(1);
    expect(index.get('a')).toBeUndefined();
    expect(index.get('b')).toBeUndefined();
    index.bulkLoad(Array.from({ length: 20 }, (_, i) => condition(`n${String(i).padStart(2, '0')}`, 'last', 'above', `${i % 5}.50`)));
    expect(index.size()).toBe(21);
    const found = ids(index.matching(windowOf([['3.00', '1']])));
    expect(found).toEqual(['n00', 'n05', 'n10', 'n15', 'n01', 'n06', 'n11', 'n16', 'n02', 'n07', 'n12', 'n17', 'held']);
  });

  it("holds each condition's meta as given and hands it back from every query, removing it with the condition", () => {
    const index = createAlertIndex<{ userId: string }>({ maxChunk: 4 });
    const owner = { userId: 'u1' };
    index.add({ ...condition('a', 'last', 'above', '1.00', { expiresAtUs: T0 + 10 }), meta: owner });
    index.bulkLoad([{ ...condition('b', 'last', 'below', '9.00'), meta: { userId: 'u2' } }]);
    expect(index.get('a')?.meta).toBe(owner);
    const state = windowOf([['5.00', '1']]);
    expect(index.matching(state).map((c) => c.meta?.userId)).toEqual(['u1', 'u2']);
    expect(index.expired(T0 + 10).map((c) => c.meta)).toEqual([owner]);
    expect(index.takeMatching(state).map((c) => [c.alertId, c.meta?.userId])).toEqual([
      ['a', 'u1'],
      ['b', 'u2'],
    ]);
    expect(index.get('a')).toBeUndefined();
    expect(index.size()).toBe(0);
  });
});
