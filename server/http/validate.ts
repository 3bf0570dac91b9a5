import type { z } from 'zod';
import { AppError } from '../../lib/errors.ts';

/**
 * Parses `input` with `schema`, or throws a 422 whose message is the first problem as a sentence
 * and whose details list every problem by field.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AppError('validation_failed', 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || null,
    message: issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message,
  }));
  const first = issues[0];
  const sentence = first ? `${first.message.replace(/\.$/, '')}.` : 'The request is not valid.';
  throw new AppError('validation_failed', sentence.charAt(0).toUpperCase() + sentence.slice(1), { details: issues });
}
