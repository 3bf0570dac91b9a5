import type { ServerResponse } from 'node:http';
import { AppError } from '../../lib/errors.ts';
import type { Logger } from '../logger.ts';
import { isClientAbort } from './read-body.ts';

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
 * Answers with the error shape of the API. An `AppError` is the caller's to see; a client that
 * went away mid-request (an aborted upload) is nobody's error: counted through `onAbort`, logged
 * at debug, the connection closed; anything else is logged with its stack and answered as a bare
 * 500, so internals never leak. Once headers are out, the connection is closed instead.
 */
export function sendError(res: ServerResponse, error: unknown, log: Logger, onAbort?: () => void): void {
  if (isClientAbort(error)) {
    onAbort?.();
    log.debug({ reason: error instanceof Error ? error.message : String(error) }, 'request aborted by the client');
    res.destroy();
    return;
  }
  if (res.headersSent) {
    if (!(error instanceof AppError)) log.error({ err: error }, 'request failed after its answer began');
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
