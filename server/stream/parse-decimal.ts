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

  let dot = -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= ZERO && code <= NINE) continue;
    if (code === DOT && dot === -1) {
      dot = i;
      continue;
    }
    return null;
  }
  if (dot === -1) return BigInt(text) * pow10(scale);
  if (dot === 0 || dot === length - 1) return null;

  const fractionLength = length - dot - 1;
  let fraction = text.slice(dot + 1);
  if (fractionLength > scale) {
    for (let i = dot + 1 + scale; i < length; i++) if (text.charCodeAt(i) !== ZERO) return null;
    fraction = fraction.slice(0, scale);
  }
  const digits = text.slice(0, dot) + fraction;
  const shift = scale - Math.min(fractionLength, scale);
  return shift === 0 ? BigInt(digits) : BigInt(digits) * pow10(shift);
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
  const twiceRemainder = (n - quotient * d) * 2n;
  if (twiceRemainder > d || (twiceRemainder === d && (quotient & 1n) === 1n)) quotient += 1n;
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
