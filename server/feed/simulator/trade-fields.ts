/**
 * Formatting of trade fields the way the exchange writes them. The WebSocket feed trims
 * trailing zeros (`"22386.3"`, `"0.0006"`, `".58496Z"`); the REST trades endpoint pads price
 * and size to 8 decimals (`"67143.18000000"`). A client must accept both.
 */

/** Quote currencies priced in cents on the exchange; other quotes (e.g. BTC) use 5 decimals. */
const FIAT_QUOTES = new Set(['USD', 'USDC', 'USDT', 'EUR', 'GBP']);

/** A positive decimal with at most 8 fraction digits, as accepted for scripted trades. */
export const DECIMAL_PATTERN = /^\d{1,15}(\.\d{1,8})?$/;

/** Decimal places of the price grid: 2 for fiat-quoted products like BTC-USD, else 5. */
export function priceDecimals(product: string): number {
  const quote = product.split('-')[1] ?? '';
  return FIAT_QUOTES.has(quote) ? 2 : 5;
}

/** Writes integer `units` of 10^-decimals as a decimal string; `trim` drops trailing zeros. */
export function unitsToDecimal(units: number, decimals: number, trim: boolean): string {
  const text = String(Math.trunc(units)).padStart(decimals + 1, '0');
  const whole = text.slice(0, text.length - decimals);
  let fraction = text.slice(text.length - decimals);
  if (trim) fraction = fraction.replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** Pads (never rounds) a decimal string to `places` fraction digits, for the REST twin. */
export function padDecimal(text: string, places: number): string {
  const [whole, fraction = ''] = text.split('.');
  return fraction.length >= places ? text : `${whole ?? '0'}.${fraction.padEnd(places, '0')}`;
}

/**
 * RFC 3339 UTC time with microseconds from integer microseconds since the epoch; `trim`
 * drops trailing zeros of the fraction as the match feed does (never the whole fraction).
 */
export function formatMicros(micros: number, trim: boolean): string {
  const ms = Math.floor(micros / 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  let fraction = String(micros - Math.floor(micros / 1e6) * 1e6).padStart(6, '0');
  if (trim) fraction = fraction.replace(/0+$/, '') || '0';
  return `${base}.${fraction}Z`;
}

/** Microseconds since the epoch of an RFC 3339 UTC time (`...Z`), or null if it is not one. */
export function parseRfc3339Micros(text: string): number | null {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!match?.[1]) return null;
  const seconds = Date.parse(`${match[1]}Z`);
  if (Number.isNaN(seconds)) return null;
  return seconds * 1000 + Number((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}
