/**
 * Times for the market view. Trade times arrive as ISO-8601 strings with up to microsecond
 * precision; they are ordered as integer microseconds (exact in a double up to year 2255), and
 * shown as wall-clock times in the viewer's time zone (or `timeZone`, for tests).
 */

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Integer microseconds since the epoch of an ISO-8601 time with a zone, else `null`. */
export function isoToMicros(iso: string): number | null {
  const match = ISO.exec(iso);
  if (!match) return null;
  const wholeMs = Date.parse(`${match[1] ?? ''}${match[3] ?? ''}`);
  if (!Number.isFinite(wholeMs)) return null;
  const fraction = (match[2] ?? '').padEnd(6, '0').slice(0, 6);
  return wholeMs * 1000 + Number(fraction);
}

export interface TimeFormatOptions {
  /** IANA zone; the viewer's own when omitted. */
  timeZone?: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: 'seconds' | 'minutes' | 'date', timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone ?? ''}`;
  let found = formatters.get(key);
  if (!found) {
    const base: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone };
    const options: Intl.DateTimeFormatOptions =
      kind === 'seconds' ? { ...base, second: '2-digit' } : kind === 'minutes' ? base : { day: 'numeric', month: 'short', timeZone };
    found = new Intl.DateTimeFormat('en-GB', options);
    formatters.set(key, found);
  }
  return found;
}

/** "15:42:10" (24-hour clock). */
export function formatClock(ms: number, options: TimeFormatOptions = {}): string {
  return formatter('seconds', options.timeZone).format(ms);
}

export interface ZonedTimeOptions extends TimeFormatOptions {
  /** BCP 47 locale; the viewer's own when omitted. */
  locale?: string;
}

/**
 * A time as the viewer reads it, in their locale and zone, with the zone named: "18:45:31 CET"
 * (en-GB) or "06:45:31 PM EST" (en-US). A time that is not on the same day as `nowMs` (in that
 * zone) also shows its date: "25 Nov, 18:45:31 CET".
 */
export function formatZonedTime(ms: number, nowMs: number, options: ZonedTimeOptions = {}): string {
  const { locale, timeZone } = options;
  const day = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone });
  const sameDay = day.format(ms) === day.format(nowMs);
  return new Intl.DateTimeFormat(locale, {
    ...(sameDay ? {} : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
    timeZone,
  }).format(ms);
}

/** A duration in words a person reads at a glance: "12 s", "3 min", "2 h 5 min", "3 d". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

export interface AsOf {
  /** True when the last trade is older than the quiet threshold: the numbers are not live. */
  quiet: boolean;
  ageMs: number;
  text: string;
}

/**
 * "as of 15:42:10" for the time of the last trade, or, when it is older than `quietAfterMs`
 * (60 s by default), "no trades for 3 min — as of 15:42:10", so a quiet market never looks live.
 * A trade from more than 20 hours ago also shows its date.
 */
export function describeAsOf(
  tradeTime: string,
  nowMs: number,
  options: TimeFormatOptions & { quietAfterMs?: number } = {},
): AsOf | null {
  const micros = isoToMicros(tradeTime);
  if (micros === null) return null;
  const tradeMs = Math.floor(micros / 1000);
  const ageMs = Math.max(0, nowMs - tradeMs);
  const quiet = ageMs >= (options.quietAfterMs ?? 60_000);
  const clock = formatClock(tradeMs, options);
  const stamp = ageMs >= 20 * 3_600_000 ? `${formatter('date', options.timeZone).format(tradeMs)}, ${clock}` : clock;
  return { quiet, ageMs, text: quiet ? `no trades for ${formatDuration(ageMs)} — as of ${stamp}` : `as of ${stamp}` };
}

const TICK_STEPS_MS = [
  10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000,
  21_600_000, 43_200_000, 86_400_000,
];

/**
 * Round-valued time-axis ticks between `fromMs` and `toMs` (about `maxTicks` of them), and whether
 * their labels need seconds.
 */
export function timeTicks(fromMs: number, toMs: number, maxTicks = 6): { ticks: number[]; seconds: boolean } {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) return { ticks: [], seconds: false };
  const span = toMs - fromMs;
  const step = TICK_STEPS_MS.find((s) => span / s <= maxTicks) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1] ?? 86_400_000;
  // Align to whole steps of local time, so hours fall on the hour in zones with odd offsets too.
  const offsetMs = step >= 3_600_000 ? new Date(fromMs).getTimezoneOffset() * 60_000 : 0;
  const ticks: number[] = [];
  for (let t = Math.ceil((fromMs - offsetMs) / step) * step + offsetMs; t <= toMs; t += step) ticks.push(t);
  return { ticks, seconds: step < 60_000 };
}

/** An axis label: "15:42" or, for steps under a minute, "15:42:10". */
export function formatAxisTime(ms: number, seconds: boolean, options: TimeFormatOptions = {}): string {
  return formatter(seconds ? 'seconds' : 'minutes', options.timeZone).format(ms);
}

/** A window length for labels: 600000 -> "10 min", 3600000 -> "1 h", 30000 -> "30 s". */
export function formatWindow(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/** A window length in words: 600000 -> "10 minutes", 3600000 -> "1 hour", 1000 -> "1 second". */
export function formatWindowLong(ms: number): string {
  const [n, unit] =
    ms >= 3_600_000 && ms % 3_600_000 === 0
      ? [ms / 3_600_000, 'hour']
      : ms >= 60_000 && ms % 60_000 === 0
        ? [ms / 60_000, 'minute']
        : [Math.round(ms / 1000), 'second'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
