/**
 * The closed set of error codes of the HTTP API and socket acks, each with its status.
 * 404 stands for "not yours" as well as "does not exist", so ids cannot be probed.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  cross_origin: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  headers_too_large: 431,
  validation_failed: 422,
  alert_limit: 422,
  unknown_product: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The error body of every API response: `message` is a sentence a person understands. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error meant for the caller: its code picks the status, its message is shown as is. */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details: unknown;
  /** Seconds to wait, sent as `Retry-After` with 429. */
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; retryAfterS?: number } = {}) {
    super(message);
    this.code = code;
    this.details = options.details;
    this.retryAfterS = options.retryAfterS;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }
}
