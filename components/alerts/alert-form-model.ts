/**
 * The alert form's values, the request body they make, and its problems by field: the shared
 * zod rules (`createAlertSchema`, the same the API applies) plus the checks only a browser can
 * make (a time in the viewer's zone, in the future).
 */
import type { createAlertSchema } from '@/lib/alerts/alert-input';
import { localInputToIso, problemsByField } from '@/lib/alerts/format';
import type { AlertBasis, AlertDirection } from '@/lib/realtime/events';

export type AlertSchema = typeof createAlertSchema;

export interface AlertFormValues {
  direction: AlertDirection;
  threshold: string;
  basis: AlertBasis;
  repeatMode: 'once' | 'rearm';
  band: string;
  cooldown: string;
  note: string;
  expiry: string;
}

export const INITIAL_VALUES: AlertFormValues = {
  direction: 'above',
  threshold: '',
  basis: 'mean',
  repeatMode: 'once',
  band: '',
  cooldown: '60',
  note: '',
  expiry: '',
};

/** The fields problems are shown by (API field paths). */
export const FIELDS = ['product', 'direction', 'threshold', 'basis', 'repeat', 'repeat.band', 'repeat.cooldownSeconds', 'note', 'expiresAt'] as const;
export type FieldName = (typeof FIELDS)[number];
export type FieldErrors = Partial<Record<FieldName, string>>;

/** The id of the control a field's problem belongs to, to focus it. */
export const FIELD_CONTROL: Record<FieldName, string> = {
  product: 'alert-product',
  direction: 'alert-direction',
  threshold: 'alert-threshold',
  basis: 'alert-basis',
  repeat: 'alert-repeat-once',
  'repeat.band': 'alert-band',
  'repeat.cooldownSeconds': 'alert-cooldown',
  note: 'alert-note',
  expiresAt: 'alert-expiry',
};

export interface Checked {
  body: Record<string, unknown>;
  fields: FieldErrors;
  other: string[];
}

/** The POST body of the form, and what is wrong with it (`schema` once loaded; the API checks anyway). */
export function checkAlertForm(product: string, v: AlertFormValues, schema: AlertSchema | null, nowMs: number): Checked {
  const body: Record<string, unknown> = { product, direction: v.direction, threshold: v.threshold.trim(), basis: v.basis };
  const problems: { field: string | null; message: string }[] = [];
  if (v.repeatMode === 'rearm') {
    const cooldown = v.cooldown.trim();
    body.repeat = { mode: 'rearm', band: v.band.trim(), cooldownSeconds: /^\d{1,9}$/.test(cooldown) ? Number(cooldown) : cooldown };
  }
  if (v.note.trim() !== '') body.note = v.note;
  if (v.expiry !== '') {
    const iso = localInputToIso(v.expiry);
    if (iso === null) problems.push({ field: 'expiresAt', message: 'Enter the expiry as a date and a time.' });
    else if (Date.parse(iso) <= nowMs) problems.push({ field: 'expiresAt', message: 'The expiry must be in the future.' });
    else body.expiresAt = iso;
  }
  if (schema) {
    const result = schema.safeParse(body);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push({ field: issue.path.map((p) => (typeof p === 'symbol' ? '' : String(p))).join('.') || null, message: issue.message });
      }
    }
  }
  const { fields, other } = problemsByField(problems, FIELDS);
  return { body, fields: inWords(fields), other };
}

/** Field problems as the form shows them: the API names `cooldownSeconds`, the form says "cooldown". */
export function inWords(fields: FieldErrors): FieldErrors {
  const cooldown = fields['repeat.cooldownSeconds'];
  return cooldown === undefined ? fields : { ...fields, 'repeat.cooldownSeconds': cooldown.replace(/^cooldownSeconds\b/, 'The cooldown') };
}

export const COOLDOWN_HINT = 'Of trade time since it fired; at most 7 days (604800).';
