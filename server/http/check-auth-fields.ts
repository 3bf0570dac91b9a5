import { z } from 'zod';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH } from '../../lib/auth-rules.ts';
import { validate } from './validate.ts';

/** Text up to `max` characters; any other type is left for Better Auth to refuse in its own words. */
function bounded(max: number, message: string) {
  return z.unknown().refine((value) => typeof value !== 'string' || value.length <= max, message);
}

const emailLimit = bounded(EMAIL_MAX_LENGTH, `The email address can have at most ${EMAIL_MAX_LENGTH} characters`);

const authFieldsSchema = z.object({
  email: emailLimit.optional(),
  newEmail: emailLimit.optional(),
  name: bounded(NAME_MAX_LENGTH, `The name can have at most ${NAME_MAX_LENGTH} characters`).optional(),
});

/**
 * Better Auth stores an e-mail address or a name of any length the body limit lets through; the
 * user fields of every auth request body are bounded here first (422 when over).
 */
export function checkAuthFields(json: unknown): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return;
  validate(authFieldsSchema, json);
}
