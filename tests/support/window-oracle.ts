/**
 * An independent, from-scratch computation of the window for tests: plain BigInt over the
 * trades' decimal strings, no shared code with the engine. Exact, and slow on purpose.
 */
export interface OracleTrade {
  tradeId: number;
  time: string;
  price: string;
  size: string;
}

const SCALE = 10n ** 8n;

function units(decimal: string): bigint {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole) * SCALE + BigInt((fraction + '00000000').slice(0, 8));
}

/** Microseconds since the epoch, from whole milliseconds plus the fraction's extra digits. */
export function micros(time: string): bigint {
  const match = /\.(\d+)Z$/.exec(time);
  const fraction = ((match?.[1] ?? '') + '000000').slice(0, 6);
  const seconds = Date.parse(time.replace(/\.\d+Z$/, 'Z'));
  return BigInt(seconds) * 1000n + BigInt(fraction);
}

function halfEven(numerator: bigint, denominator: bigint): bigint {
  const q = numerator / denominator;
  const r = numerator % denominator;
  if (r * 2n > denominator || (r * 2n === denominator && q % 2n === 1n)) return q + 1n;
  return q;
}

function format(value: bigint): string {
  const text = value.toString().padStart(9, '0');
  return `${text.slice(0, -8)}.${text.slice(-8)}`;
}

/** mean, vwap (8 dp, half-even) and count of the window as of trade `at`, over `trades`. */
export function oracleWindow(trades: readonly OracleTrade[], at: OracleTrade, windowMs: number) {
  const end = micros(at.time);
  const start = end - BigInt(windowMs) * 1000n;
  const inside = trades.filter((t) => t.tradeId <= at.tradeId && micros(t.time) > start && micros(t.time) <= end);
  let sumPrice = 0n;
  let sumPv = 0n;
  let sumSize = 0n;
  for (const t of inside) {
    const p = units(t.price);
    const s = units(t.size);
    sumPrice += p;
    sumPv += p * s;
    sumSize += s;
  }
  return {
    count: inside.length,
    mean: format(halfEven(sumPrice, BigInt(inside.length))),
    vwap: format(halfEven(sumPv, sumSize)),
  };
}
