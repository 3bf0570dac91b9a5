/**
 * The alerts and notifications API as the browser calls it: one request helper, readers of the
 * response bodies (an unexpected body is reported, never half-used) and errors in words.
 */
import type { Notification } from '@/lib/alerts/notification';
import type { Alert, AlertRepeat } from '@/lib/realtime/events';

export interface ApiResult {
  ok: boolean;
  /** 0 when the server could not be reached. */
  status: number;
  body: unknown;
  /** Seconds from `Retry-After`, when sent. */
  retryAfterS: number | null;
}

export async function callApi(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<ApiResult> {
  try {
    const response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    const body: unknown = response.status === 204 ? null : await response.json().catch(() => null);
    const retry = Number(response.headers.get('retry-after'));
    return { ok: response.ok, status: response.status, body, retryAfterS: Number.isFinite(retry) && retry > 0 ? Math.ceil(retry) : null };
  } catch (error) {
    if (init.signal?.aborted) throw error;
    return { ok: false, status: 0, body: null, retryAfterS: null };
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const oneOf = <T extends string>(v: unknown, values: readonly T[]): T | null => values.find((x) => x === v) ?? null;

function parseRepeat(v: unknown): AlertRepeat | null {
  if (!isObject(v)) return null;
  if (v.mode === 'once') return { mode: 'once' };
  if (v.mode === 'rearm' && isString(v.band) && isInt(v.cooldownSeconds)) return { mode: 'rearm', band: v.band, cooldownSeconds: v.cooldownSeconds };
  return null;
}

export function parseAlert(v: unknown): Alert | null {
  if (!isObject(v) || !isString(v.id) || !isString(v.product) || !isString(v.threshold) || !isInt(v.arming)) return null;
  const basis = oneOf(v.basis, ['mean', 'vwap', 'last'] as const);
  const direction = oneOf(v.direction, ['above', 'below'] as const);
  const status = oneOf(v.status, ['armed', 'triggered', 'expired'] as const);
  const repeat = parseRepeat(v.repeat);
  if (!basis || !direction || !status || !repeat || !isString(v.createdAt)) return null;
  if (!isStringOrNull(v.note) || !isStringOrNull(v.triggeredAt) || !isStringOrNull(v.expiresAt)) return null;
  return {
    id: v.id,
    product: v.product,
    basis,
    direction,
    threshold: v.threshold,
    repeat,
    note: v.note,
    status,
    arming: v.arming,
    createdAt: v.createdAt,
    triggeredAt: v.triggeredAt,
    expiresAt: v.expiresAt,
  };
}

export function parseNotification(v: unknown): Notification | null {
  if (!isObject(v) || !isInt(v.id) || !isStringOrNull(v.alertId) || !isInt(v.arming) || !isString(v.product)) return null;
  const basis = oneOf(v.basis, ['mean', 'vwap', 'last'] as const);
  const direction = oneOf(v.direction, ['above', 'below'] as const);
  if (!basis || !direction || !isString(v.threshold) || !isString(v.value) || !isInt(v.tradeId) || !isString(v.tradeTime)) return null;
  if (!isInt(v.windowCount) || !isString(v.firedAt) || !isStringOrNull(v.deliveredAt) || !isStringOrNull(v.readAt)) return null;
  return {
    id: v.id,
    alertId: v.alertId,
    arming: v.arming,
    product: v.product,
    basis,
    direction,
    threshold: v.threshold,
    value: v.value,
    tradeId: v.tradeId,
    tradeTime: v.tradeTime,
    windowCount: v.windowCount,
    firedAt: v.firedAt,
    deliveredAt: v.deliveredAt,
    readAt: v.readAt,
  };
}

/** `{alert}` from a POST or PATCH. */
export function alertOf(body: unknown): Alert | null {
  return isObject(body) ? parseAlert(body.alert) : null;
}

/** `{alerts}` from `GET /api/alerts`, or null if any of them is unreadable. */
export function alertsOf(body: unknown): Alert[] | null {
  if (!isObject(body) || !Array.isArray(body.alerts)) return null;
  const alerts = body.alerts.map(parseAlert);
  return alerts.every((a) => a !== null) ? (alerts) : null;
}

/** `{notifications, unread}` from `GET /api/notifications`. */
export function notificationsOf(body: unknown): { notifications: Notification[]; unread: number } | null {
  if (!isObject(body) || !Array.isArray(body.notifications) || !isInt(body.unread)) return null;
  const notifications = body.notifications.map(parseNotification);
  return notifications.every((n) => n !== null) ? { notifications: notifications, unread: body.unread } : null;
}

export interface ApiProblem {
  code: string | null;
  /** A sentence for the person. */
  message: string;
  /** Validation problems by field, from a 422's `details`. */
  details: { field: string | null; message: string }[];
}

/** What went wrong with a failed request, in words. */
export function problemOf(result: ApiResult): ApiProblem {
  const error = isObject(result.body) && isObject(result.body.error) ? result.body.error : null;
  const code = error && isString(error.code) ? error.code : null;
  const details = error && Array.isArray(error.details) ? error.details.flatMap(readDetail) : [];
  if (result.status === 0) return { code, message: 'The server could not be reached. Check your connection and try again.', details };
  if (result.status === 401) return { code, message: 'Your session has ended. Sign in again to continue.', details };
  if (error && isString(error.message)) return { code, message: error.message, details };
  if (result.status === 429) {
    const wait = result.retryAfterS;
    return { code, message: `Too many requests. ${wait ? `Try again in ${wait} s.` : 'Try again in a moment.'}`, details };
  }
  const message = `The server answered ${result.status}. Try again in a moment.`;
  return { code, message, details };
}

function readDetail(v: unknown): { field: string | null; message: string }[] {
  if (!isObject(v) || !isString(v.message)) return [];
  return [{ field: isString(v.field) && v.field !== '' ? v.field : null, message: v.message }];
}
