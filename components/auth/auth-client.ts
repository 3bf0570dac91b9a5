'use client';
import { createAuthClient } from 'better-auth/react';

/** Better Auth's browser client, on this page's own origin. */
export const authClient = createAuthClient();

/**
 * The sentence to show for a failed auth call: Better Auth's own message, or the API error
 * shape's (used by the rate limiter), or a generic one.
 */
export function authErrorMessage(error: { message?: string; status?: number; error?: { message?: string } } | null): string {
  if (!error) return 'Something went wrong. Please try again.';
  if (error.status === 429) return error.error?.message ?? 'Too many attempts. Please wait a moment and try again.';
  return error.message ?? error.error?.message ?? 'Something went wrong. Please try again.';
}
