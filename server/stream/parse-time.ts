/**
 * Exact parsing of the feed's RFC 3339 UTC times into integer microseconds since the epoch. The
 * fraction is read as digits, never as a float of seconds, so `.000001` is exactly 1 µs.
 */

/** Earliest accepted time, 2000-01-01T00:00:00Z, in microseconds since the epoch (inclusive). */
export const MIN_TIME_US = 946_684_800_000_000;
/** End of the accepted range, 2200-01-01T00:00:00Z, in microseconds since the epoch (exclusive). */
export const END_TIME_US = 7_258_118_400_000_000;

const ZERO = 48;
const MAX_FRACTION_DIGITS = 9;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Reads `count` ASCII digits at `start` as a number, or -1 if any is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), for years
 * >= 0: integer arithmetic, cheaper than Date.UTC on the hot path and exact by construction.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)` into integer microseconds since the epoch.
 *
 * - The fraction may have 1 to 9 digits (Coinbase trims trailing zeros: `.58496Z` is 584960 µs).
 *   Digits past the sixth are truncated, not rounded, so a time never moves into the next
 *   microsecond and the order of two times is kept (`.1234569Z` is 123456 µs).
 * - Only UTC is accepted: `Z` or `+00:00`. Upper-case `T` and `Z` only, as the feed sends them.
 * - Returns `null` for anything else: other offsets (including `-00:00`, "local time unknown"),
 *   missing seconds, impossible dates (`02-30`, `02-29` outside leap years), hour 24, leap
 *   second 60, spaces, a non-string, and times outside [2000-01-01T00:00:00Z, 2200-01-01T00:00:00Z).
 */
export function parseTimeUs(text: string): number | null {
  if (typeof text !== 'string') return null;
  const length = text.length;
  if (length < 20 || length > 35) return null;
  if (
    text.charCodeAt(4) !== 45 || // '-'
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // 'T'
    text.charCodeAt(13) !== 58 || // ':'
    text.charCodeAt(16) !== 58
  ) {
    return null;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 2000 || year > 2199 || month < 1 || month > 12 || day < 1) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays) return null;

  let position = 19;
  let micros = 0;
  if (text.charCodeAt(position) === 46) {
    // '.'
    const start = position + 1;
    let end = start;
    while (end < length && end - start <= MAX_FRACTION_DIGITS) {
      const digit = text.charCodeAt(end) - ZERO;
      if (digit < 0 || digit > 9) break;
      if (end - start < 6) micros = micros * 10 + digit;
      end++;
    }
    const fractionDigits = end - start;
    if (fractionDigits === 0 || fractionDigits > MAX_FRACTION_DIGITS) return null;
    for (let i = fractionDigits; i < 6; i++) micros *= 10;
    position = end;
  }

  const zone = text.slice(position);
  if (zone !== 'Z' && zone !== '+00:00') return null;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return seconds * 1_000_000 + micros;
}
