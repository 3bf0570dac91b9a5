import { expect } from 'vitest';
import type { RawResponse } from './request-from.ts';

/**
 * A 429 in the contract's shape whose Retry-After (1..60 s: the suites' limits use windows of a
 * minute at most) is the wait its message names, setting no cookie; `what` matches the message.
 */
export function expectRateLimited(response: RawResponse, what: RegExp): void {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${String(response.headers['retry-after'])}`).toBe(true);
  const body = JSON.parse(response.text) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('rate_limited');
  expect(body.error.message).toMatch(what);
  expect(body.error.message).toContain(`Please wait ${retryAfter} s and try again.`);
  expect(response.headers['set-cookie']).toBeUndefined();
}
