import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths never written to the log: credentials and session tokens in request headers or bodies,
 * whatever module logs them.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'currentPassword',
  '*.currentPassword',
  'token',
  '*.token',
  'headers.cookie',
  '*.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];

/**
 * Creates the process logger (JSON lines on stdout). Modules take a child of it
 * (`logger.child({ module: 'feed' })`) rather than creating their own.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { app: 'tickwatch' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}
