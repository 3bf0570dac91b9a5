/**
 * Exact conversions between the feed's decimal strings and integer units of 10^-scale. No
 * floating point anywhere: a price like "67143.18" becomes 6714318000000n at scale 8.
 */

// Longer inputs are refused outright: no real price or size needs them, and BigInt work on
// arbitrarily long strings is not free.
const MAX_TEXT_LENGTH = 40;

const ZERO = 48; // '0'
const NINE = 57; // '9'
const DOT = 46; // '.'

const POWERS_OF_TEN: bigint[] = [];
// Exact as doubles up to 1e22; a table, because `10 ** n` with a variable n is a slow call.
const NUMBER_POWERS_OF_TEN = Array.from({ length: 23 }, (_, n) => 10 ** n);

/** 10^n as a bigint; n is a small non-negative integer (cached up to 64). */
function pow10(n: number): bigint {
  if (n < 64) {
    let power = POWERS_OF_TEN[n];
    if (power === undefined) {
      power = 10n ** BigInt(n);
      POWERS_OF_TEN[n] = power;
    }
    return power;
  }
  return 10n ** BigInt(n);
}

/**
 * Parses a non-negative plain decimal (`"67143.18000000"`, `"0.5"`, `"12"`) into integer units of
 * 10^-`scale`, exactly.
 *
 * Accepted: one or more digits, optionally a dot followed by one or more digits. Digits beyond
 * `scale` decimals are accepted only when they are all zeros (REST pads prices to 8 dp), so no
 * value is ever rounded. Returns `null` for anything else: empty text, a sign, an exponent,
 * spaces, a leading or trailing dot, other characters, a non-string, or text longer than 40
 * characters. Zero parses to `0n`; callers that need a positive value check that themselves.
 *
 * @param scale decimal places of the unit, a non-negative integer (8 for prices and sizes)
 */
export function parseUnits(text: string, scale: number): bigint | null {
  if (typeof text !== 'string') return null;
  const length = text.length;
  if (length === 0 || length > MAX_TEXT_LENGTH) return null;

  // One pass: validate, and gather the significant digits as a Number while that is exact
  // (BigInt(number) is far cheaper than slicing, joining and BigInt(string) on the hot path).
  let dot = -1;
  let value = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === DOT) {
      if (dot !== -1) return null;
      dot = i;
      continue;
    }
    if (code < ZERO || code > NINE) return null;
    if (dot !== -1) {
      if (fractionDigits === scale) {
        if (code !== ZERO) return null;
        continue;
      }
      fractionDigits++;
    }
    value = value * 10 + (code - ZERO);
    digits++;
  }
  if (dot === 0 || dot === length - 1) return null;

  const shift = scale - fractionDigits;
  if (digits <= 15 && shift <= 22) {
    const units = value * (NUMBER_POWERS_OF_TEN[shift] ?? Infinity);
    if (units <= Number.MAX_SAFE_INTEGER) return BigInt(units);
  }
  const significant = dot === -1 ? text : text.slice(0, dot) + text.slice(dot + 1, dot + 1 + fractionDigits);
  return BigInt(significant) * pow10(shift);
}

/**
 * Divides and rounds to the nearest integer, ties to even (banker's rounding), exactly.
 *
 * Works for any signs: the quotient's magnitude is rounded half-even and the sign applied, so
 * rounding is symmetric around zero (-2.5 -> -2, -3.5 -> -4).
 *
 * @throws RangeError when `denominator` is zero
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('divideHalfEven: division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  const remainder = n % d;
  const rest = d - remainder;
  if (remainder > rest || (remainder === rest && (quotient & 1n) === 1n)) quotient += 1n;
  return negative ? -quotient : quotient;
}

/**
 * Formats integer units of 10^-`scale` as a decimal string with exactly `dp` decimals.
 *
 * `dp < scale` rounds half-even (`formatUnits(125n, 2, 1)` is `"1.2"`); `dp >= scale` pads with
 * zeros. `dp === 0` prints no dot. Negative values get a leading `-` (never `-0`). Always at least
 * one digit before the dot (`"0.05"`).
 *
 * @param scale decimal places of the unit, a non-negative integer
 * @param dp decimal places to print, a non-negative integer
 */
export function formatUnits(units: bigint, scale: number, dp: number): string {
  const scaled =
    dp === scale ? units : dp < scale ? divideHalfEven(units, pow10(scale - dp)) : units * pow10(dp - scale);
  const negative = scaled < 0n;
  let digits = (negative ? -scaled : scaled).toString();
  if (dp > 0) {
    if (digits.length <= dp) digits = '0'.repeat(dp - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - dp)}.${digits.slice(digits.length - dp)}`;
  }
  return negative ? `-${digits}` : digits;
}
