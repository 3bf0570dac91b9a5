/**
 * Alerts and notifications in words, for the list, the toasts and the inbox. Values are decimal
 * strings and stay strings: comparisons are exact (BigInt on the digits), never floats.
 */
import { formatAverage, formatPrice, quoteCurrency } from '../market/decimal.ts';
import { type TimeFormatOptions, type ZonedTimeOptions, formatClock, formatDuration, formatWindow, formatZonedTime, isoToMicros } from '../market/time.ts';
import type { Alert, AlertBasis, AlertDirection, AlertRepeat, AlertStatus } from '../realtime/events.ts';
import type { Notification } from './notification.ts';

/** What an alert watches, as the list and toasts name it. */
export interface AlertTerms {
  product: string;
  basis: AlertBasis;
  direction: AlertDirection;
  threshold: string;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * -1, 0 or 1 as `a` is below, equal to or above `b`, exactly; `null` when either is not a plain
 * decimal string.
 */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 | null {
  const x = DECIMAL.exec(a.trim());
  const y = DECIMAL.exec(b.trim());
  if (!x || !y) return null;
  const scale = Math.max((x[3] ?? '').length, (y[3] ?? '').length);
  const scaled = (m: RegExpExecArray) => {
    const digits = BigInt(`${m[2] ?? '0'}${(m[3] ?? '').padEnd(scale, '0')}`);
    return m[1] === '-' ? -digits : digits;
  };
  const d = scaled(x) - scaled(y);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * Whether an alert with these terms would fire on the next trade, given the current basis value:
 * `above` when current >= threshold, `below` when current <= threshold. `null` when unknown.
 */
export function wouldFireNow(direction: AlertDirection, threshold: string, current: string | null | undefined): boolean | null {
  if (current == null) return null;
  const order = compareDecimals(current, threshold);
  if (order === null) return null;
  return direction === 'above' ? order >= 0 : order <= 0;
}

/**
 * The window length as a prefix of a label ("10-min ", "30-s "). The labels below take the
 * server's `windowMs`, or `null` when it is not known (it failed to load): then they name no
 * length at all ("average") rather than guess one.
 */
function windowPrefix(windowMs: number | null): string {
  return windowMs === null ? '' : `${formatWindow(windowMs).replace(' ', '-')} `;
}

/** "10-min average", as the market panel names the mean line; "average" without a window. */
export function averageLabel(windowMs: number | null): string {
  return `${windowPrefix(windowMs)}average`;
}

/** The basis in words: "10-min average", "10-min VWAP" or "last price". */
export function basisLabel(basis: AlertBasis, windowMs: number | null): string {
  if (basis === 'mean') return averageLabel(windowMs);
  if (basis === 'vwap') return `${windowPrefix(windowMs)}VWAP`;
  return 'last price';
}

/** A basis value (8 dp on the wire) for display: a last price as given, an average to cents. */
export function formatBasisValue(value: string, basis: AlertBasis): string {
  return basis === 'last' ? formatPrice(value) : formatAverage(value, 2);
}

/** "above 67,000.00" */
export function describeCondition(direction: AlertDirection, threshold: string): string {
  return `${direction} ${formatPrice(threshold)}`;
}

/** "BTC-USD 10-min average above 67,000.00" */
export function describeAlert(terms: AlertTerms, windowMs: number | null): string {
  return `${terms.product} ${basisLabel(terms.basis, windowMs)} ${describeCondition(terms.direction, terms.threshold)}`;
}

/** The wall-clock time of an ISO trade time ("16:42:10"), or the text itself if it is not one. */
export function tradeClock(iso: string, options: TimeFormatOptions = {}): string {
  const micros = isoToMicros(iso);
  return micros === null ? iso : formatClock(Math.floor(micros / 1000), options);
}

/** A hit in words, line by line, as its toast shows it. */
export interface HitText {
  /** "Alert fired", or "Alert fired while you were away" for a replayed hit. */
  headline: string;
  /** "BTC-USD 30-s average above 67,500.00" */
  condition: string;
  /** The basis value with its unit: "67,512.35 USD" */
  value: string;
  /** The trade's time in the viewer's locale and zone: "18:45:31 CET" (with the date if not today). */
  time: string;
}

/** The parts of a hit's toast; `nowMs` decides whether its time needs a date. */
export function describeHitText(
  hit: { value: string; time: string; replayed: boolean; alert: AlertTerms },
  windowMs: number | null,
  nowMs: number,
  options: ZonedTimeOptions = {},
): HitText {
  const currency = quoteCurrency(hit.alert.product);
  const micros = isoToMicros(hit.time);
  return {
    headline: hit.replayed ? 'Alert fired while you were away' : 'Alert fired',
    condition: describeAlert(hit.alert, windowMs),
    value: `${formatBasisValue(hit.value, hit.alert.basis)}${currency ? ` ${currency}` : ''}`,
    time: micros === null ? hit.time : formatZonedTime(Math.floor(micros / 1000), nowMs, options),
  };
}

/** "BTC-USD 10-min average above 67,000.00 — 67,012.35 USD at 16:42:10 UTC", for a system notification. */
export function describeHit(
  hit: { value: string; time: string; replayed: boolean; alert: AlertTerms },
  windowMs: number | null,
  nowMs: number,
  options: ZonedTimeOptions = {},
): string {
  const text = describeHitText(hit, windowMs, nowMs, options);
  return `${text.condition} — ${text.value} at ${text.time}`;
}

/** "Fires once", or how a re-arming alert comes back. */
export function describeRepeat(repeat: AlertRepeat, product: string): string {
  if (repeat.mode === 'once') return 'Fires once';
  const currency = quoteCurrency(product) || 'USD';
  const cooldown = repeat.cooldownSeconds > 0 ? ` and ${formatDuration(repeat.cooldownSeconds * 1000)} after firing` : '';
  return `Re-arms once back ${formatPrice(repeat.band)} ${currency} past the threshold${cooldown}`;
}

export const STATUS_LABEL: Record<AlertStatus, string> = { armed: 'Armed', triggered: 'Triggered', expired: 'Expired' };

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** "26 Nov, 16:42:10" in the viewer's zone (or `timeZone`); the text itself if it is not a time. */
export function formatDateTime(iso: string, options: TimeFormatOptions = {}): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const key = options.timeZone ?? '';
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZone: options.timeZone,
    });
    dateTimeFormats.set(key, format);
  }
  return format.format(ms);
}

/** Why a notification fired, in two sentences: what was watched, and the trade that crossed it. */
export function describeNotification(
  n: Pick<Notification, 'product' | 'basis' | 'direction' | 'threshold' | 'value' | 'tradeId' | 'tradeTime' | 'windowCount'>,
  windowMs: number | null,
  options: TimeFormatOptions = {},
): { headline: string; detail: string } {
  const basis = basisLabel(n.basis, windowMs);
  const trades = n.windowCount === 1 ? '1 trade' : `${n.windowCount.toLocaleString('en-US')} trades`;
  const value = formatBasisValue(n.value, n.basis);
  return {
    headline: describeAlert(n, windowMs),
    detail:
      `The ${basis} was ${value} at trade ${n.tradeId} (${tradeClock(n.tradeTime, options)}), ` +
      `with ${trades} in the ${windowPrefix(windowMs)}window.`,
  };
}

const STATUS_RANK: Record<AlertStatus, number> = { armed: 0, triggered: 1, expired: 2 };

/**
 * Of two states of one alert from the server, the newer: a later arming wins; within an arming an
 * alert only moves armed -> triggered -> expired. Ties go to `incoming` (it arrived last).
 */
export function newerAlert(current: Alert | undefined, incoming: Alert): Alert {
  if (!current || current.id !== incoming.id) return incoming;
  if (incoming.arming !== current.arming) return incoming.arming > current.arming ? incoming : current;
  return STATUS_RANK[incoming.status] >= STATUS_RANK[current.status] ? incoming : current;
}

/** Problems by field ("threshold", "repeat.band"), the first per field; those without one apart. */
export function problemsByField(
  problems: readonly { field: string | null; message: string }[],
  fields: readonly string[],
): { fields: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const { field, message } of problems) {
    if (field !== null && fields.includes(field)) byField[field] ??= message;
    else other.push(message);
  }
  return { fields: byField, other };
}

/**
 * A `datetime-local` value ("2026-12-31T23:59", the viewer's zone) as an ISO-8601 UTC time;
 * `null` when empty or not a time.
 */
export function localInputToIso(local: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(local)) return null;
  const ms = new Date(local).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * The longest note, in characters: `NOTE_MAX_LENGTH` of alert-input.ts, repeated here because that
 * module carries zod, which the dashboard loads only after the page is up.
 */
export const NOTE_MAX_CHARS = 280;

/** The number of characters of a note as the server counts them (code points, trimmed). */
export function noteLength(note: string): number {
  return [...note.trim()].length;
}

/**
 * The page title with the number of unseen alert hits in front, "(2) Dashboard · Tickwatch", or
 * without a count at 0. A count already in `title` is replaced, not stacked.
 */
export function titleWithUnseen(title: string, unseen: number): string {
  const base = title.replace(/^\(\d+\+?\) /, '');
  return unseen > 0 ? `(${unseen > 99 ? '99+' : unseen}) ${base}` : base;
}
