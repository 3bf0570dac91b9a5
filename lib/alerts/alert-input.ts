/**
 * The rules for alert input, shared by the form (early, friendly errors) and the API (the final
 * word). Thresholds and bands are decimal strings with at most 2 decimals; JSON numbers are
 * accepted for them too, when finite and written plainly.
 */
import { z } from 'zod';

export const NOTE_MAX_LENGTH = 280;
export const THRESHOLD_MAX = 1_000_000_000_000;
export const COOLDOWN_MAX_SECONDS = 7 * 86_400;
/**
 * The shortest cooldown of a rearm alert, in seconds. With none, an alert with a one-cent band
 * fired on nearly every trade of a choppy market (60 such alerts: 5,820 notifications in 8 s);
 * with this floor one alert fires at most once a minute.
 */
export const COOLDOWN_MIN_SECONDS = 60;

const DECIMAL_2DP = /^(0|[1-9]\d{0,19})(\.\d{1,2})?$/;

/** A positive USD amount with at most 2 decimals and at most 1e12, as a canonical string. */
export function usdAmount(field: string) {
  return z
    .union([z.string(), z.number()], { error: `${field} must be a number like 65000 or 65000.50` })
    .transform((input, ctx) => {
      const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : 'NaN') : input.trim();
      if (!DECIMAL_2DP.test(text)) {
        ctx.addIssue({
          code: 'custom',
          message: /\.\d{3,}$/.test(text)
            ? `${field} can have at most 2 decimals (cents)`
            : `${field} must be a number like 65000 or 65000.50`,
        });
        return z.NEVER;
      }
      const [whole = '0', fraction = ''] = text.split('.');
      const canonical = `${BigInt(whole).toString()}${fraction ? `.${fraction}` : ''}`;
      if (Number(canonical) <= 0) {
        ctx.addIssue({ code: 'custom', message: `${field} must be greater than 0` });
        return z.NEVER;
      }
      if (Number(canonical) > THRESHOLD_MAX) {
        ctx.addIssue({ code: 'custom', message: `${field} must be at most 1,000,000,000,000` });
        return z.NEVER;
      }
      return canonical;
    });
}

export const repeatSchema = z.discriminatedUnion(
  'mode',
  [
    z.object({ mode: z.literal('once') }).strict(),
    z
      .object({
        mode: z.literal('rearm'),
        band: usdAmount('The re-arm band'),
        cooldownSeconds: z
          .number({ error: 'cooldownSeconds must be a whole number of seconds' })
          .int('cooldownSeconds must be a whole number of seconds')
          .min(COOLDOWN_MIN_SECONDS, `cooldownSeconds must be at least ${COOLDOWN_MIN_SECONDS} (a minute), so a rearm alert fires at most once a minute`)
          .max(COOLDOWN_MAX_SECONDS, `cooldownSeconds must be at most ${COOLDOWN_MAX_SECONDS} (7 days)`),
      })
      .strict(),
  ],
  { error: 'repeat must be {"mode": "once"} or {"mode": "rearm", "band": "100", "cooldownSeconds": 60}' },
);

const noteSchema = z
  .string({ error: 'The note must be text' })
  .transform((text) => text.trim())
  .refine((text) => [...text].length <= NOTE_MAX_LENGTH, `The note can have at most ${NOTE_MAX_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex
  .refine((text) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text), 'The note cannot contain control characters')
  .transform((text) => (text === '' ? null : text));

/** How far ahead an alert may expire. */
export const EXPIRES_AT_MAX_YEARS = 10;

/** The latest `expiresAt` accepted at `nowMs`: the same date and time, `EXPIRES_AT_MAX_YEARS` on. */
export function latestExpiry(nowMs: number): Date {
  const latest = new Date(nowMs);
  latest.setUTCFullYear(latest.getUTCFullYear() + EXPIRES_AT_MAX_YEARS);
  return latest;
}

/**
 * An ISO-8601 time in the future and at most 10 years ahead (the alert index holds times as
 * integer microseconds; a year like 2300 is past what it can hold, and no price alert needs it).
 */
const expiresAtSchema = z
  .string({ error: 'expiresAt must be an ISO-8601 time like 2026-12-31T23:59:00Z' })
  .refine((text) => /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)), {
    error: 'expiresAt must be an ISO-8601 time like 2026-12-31T23:59:00Z',
  })
  .transform((text) => new Date(text))
  .refine((date) => date.getTime() > Date.now(), { error: 'expiresAt must be in the future' })
  .refine((date) => date.getTime() <= latestExpiry(Date.now()).getTime(), {
    error: `expiresAt can be at most ${EXPIRES_AT_MAX_YEARS} years ahead`,
  });

export const alertFields = {
  product: z.string({ error: 'Choose a product, e.g. BTC-USD' }).min(1, 'Choose a product, e.g. BTC-USD').max(32),
  direction: z.enum(['above', 'below'], { error: 'direction must be "above" or "below"' }),
  threshold: usdAmount('The threshold'),
  basis: z.enum(['mean', 'vwap', 'last'], { error: 'basis must be "mean", "vwap" or "last"' }),
  repeat: repeatSchema,
  note: noteSchema.nullable(),
  expiresAt: expiresAtSchema.nullable(),
};

/** `POST /api/alerts` body. */
export const createAlertSchema = z
  .object({
    product: alertFields.product,
    direction: alertFields.direction,
    threshold: alertFields.threshold,
    basis: alertFields.basis.default('mean'),
    repeat: alertFields.repeat.default({ mode: 'once' }),
    note: alertFields.note.optional(),
    expiresAt: alertFields.expiresAt.optional(),
  })
  .strict();
export type CreateAlertInput = z.infer<typeof createAlertSchema>;

/** `PATCH /api/alerts/:id` body: any subset of the fields, or `{"status": "armed"}` to re-arm. */
export const updateAlertSchema = z
  .object({
    product: alertFields.product.optional(),
    direction: alertFields.direction.optional(),
    threshold: alertFields.threshold.optional(),
    basis: alertFields.basis.optional(),
    repeat: alertFields.repeat.optional(),
    note: alertFields.note.optional(),
    expiresAt: alertFields.expiresAt.optional(),
    status: z.literal('armed', { error: 'status can only be set to "armed" (to re-arm)' }).optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change');
export type UpdateAlertInput = z.infer<typeof updateAlertSchema>;
