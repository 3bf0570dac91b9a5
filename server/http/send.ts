import type { ServerResponse } from 'node:http';
import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../logger.ts';

/** Writes `body` as a JSON response with `status`; responses are never cached. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * Answers with the error shape of the API. An `AppError` is the caller's to see; anything else is
 * logged with its stack and answered as a bare 500, so internals never leak.
 */
export function sendError(res: ServerResponse, error: unknown, log: Logger): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof AppError) {
    if (error.retryAfterS !== undefined) res.setHeader('Retry-After', String(error.retryAfterS));
    sendJson(res, error.status, error.toBody());
    return;
  }
  log.error({ err: error }, 'request failed');
  sendJson(res, 500, new AppError('internal', 'Something went wrong on our side. Please try again.').toBody());
}
