/**
 * Display and plotting of the decimal strings the server sends. Display text is derived from
 * the strings themselves (exact, BigInt arithmetic); numbers exist only for drawing the chart.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

interface DecimalParts {
  negative: boolean;
  int: string;
  frac: string;
}

function parts(value: string): DecimalParts | null {
  const match = DECIMAL.exec(value.trim());
  if (!match) return null;
  const int = (match[2] ?? '0').replace(/^0+(?=\d)/, '');
  return { negative: match[1] === '-', int, frac: match[3] ?? '' };
}

function join({ negative, int, frac }: DecimalParts, grouped: boolean): string {
  const isZero = /^0*$/.test(int) && /^0*$/.test(frac);
  const sign = negative && !isZero ? '-' : '';
  const head = grouped ? int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : int;
  return frac.length > 0 ? `${sign}${head}.${frac}` : `${sign}${head}`;
}

/**
 * `value` rounded half-even to exactly `dp` decimal places, computed on the digits (never via a
 * float). `null` when `value` is not a plain decimal string.
 */
export function roundHalfEven(value: string, dp: number): string | null {
  const p = parts(value);
  if (!p || !Number.isInteger(dp) || dp < 0) return null;
  if (p.frac.length <= dp) return join({ ...p, frac: p.frac.padEnd(dp, '0') }, false);
  const kept = BigInt(p.int + p.frac.slice(0, dp));
  const rest = p.frac.slice(dp);
  const half = '5'.padEnd(rest.length, '0');
  // Equal-length digit strings compare like the numbers they spell.
  const roundUp = rest > half || (rest === half && kept % 2n === 1n);
  const digits = (roundUp ? kept + 1n : kept).toString().padStart(dp + 1, '0');
  const int = digits.slice(0, digits.length - dp);
  const frac = digits.slice(digits.length - dp);
  return join({ negative: p.negative, int, frac }, false);
}

/** Decimal places of `value` once trailing zeros are dropped ("67143.18000000" has 2). */
export function significantDecimals(value: string): number {
  const p = parts(value);
  return p ? p.frac.replace(/0+$/, '').length : 0;
}

/**
 * A price as given, for display: thousands separated, trailing zeros dropped but cents kept.
 * "67143.18000000" -> "67,143.18", "67143.1" -> "67,143.10", "0.00012345" stays. A string that is
 * not a decimal is returned unchanged.
 */
export function formatPrice(value: string): string {
  const p = parts(value);
  if (!p) return value;
  const trimmed = p.frac.replace(/0+$/, '');
  return join({ ...p, frac: trimmed.padEnd(2, '0') }, true);
}

/**
 * The decimals to show an average with for a product whose last price is `last`: cents, or as
 * many places as the price itself has (at most 8), so a sub-cent asset is not shown as "0.00".
 */
export function displayDecimals(last: string | null | undefined): number {
  if (!last) return 2;
  return Math.min(8, Math.max(2, significantDecimals(last)));
}

/**
 * An average (8 dp on the wire) for display: rounded half-even to `dp` places from the exact
 * string, thousands separated. "67143.18500000" -> "67,143.18". Unchanged when not a decimal.
 */
export function formatAverage(value: string, dp = 2): string {
  const rounded = roundHalfEven(value, dp);
  const p = rounded === null ? null : parts(rounded);
  return p ? join(p, true) : value;
}

/** A decimal string as a number, for plotting only (never for display or comparison). */
export function toPlotNumber(value: string): number {
  return parts(value) ? Number(value) : Number.NaN;
}

/** The quote currency of a product id: "BTC-USD" -> "USD". */
export function quoteCurrency(product: string): string {
  const dash = product.lastIndexOf('-');
  return dash >= 0 ? product.slice(dash + 1) : '';
}
