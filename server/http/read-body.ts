import type { IncomingMessage } from 'node:http';
import { AppError } from '../../lib/errors.ts';

/**
 * Deepest nesting of arrays and objects a request body may have. Real bodies need 3 levels; the
 * bound keeps anything that walks a parsed body (validation, logging) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 32;

/** UTF-8 as RFC 8259 requires: a malformed byte is an error, not a silent U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A UTF-16 surrogate without its other half: such a string cannot be stored as UTF-8 intact. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The client closed the connection before its body ended: nobody is left to answer, and nothing
 * is wrong on our side (see `sendError`).
 */
export class RequestAbortedError extends Error {
  override name = 'RequestAbortedError';
  constructor() {
    super('the request was aborted before its body ended');
  }
}

/** Error codes with which Node reports a connection the client closed or reset. */
const CLIENT_GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** True for an error that only says the client went away (an aborted upload, a reset). */
export function isClientAbort(error: unknown): boolean {
  if (error instanceof RequestAbortedError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CLIENT_GONE.has(code);
}

/**
 * Reads the whole request body, refusing with 413 as soon as it passes `limit` bytes (by the
 * declared Content-Length or while streaming), so an oversized upload is never buffered. The
 * rest of a refused body is read and dropped rather than the stream destroyed: destroying it
 * resets the connection, and a keep-alive client then fails its next request on it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new AppError('payload_too_large', `The request body is larger than the limit of ${limit} bytes.`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  // The client may be gone before the body is asked for (while the session was looked up): its
  // 'close' has fired already and would never reach the listeners below.
  if (req.destroyed) return Promise.reject(new RequestAbortedError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (error) => reject(isClientAbort(error) || error.message === 'aborted' ? new RequestAbortedError() : error));
    req.on('close', () => reject(new RequestAbortedError()));
  });
}

/**
 * Parses a JSON request body. An empty body, a non-JSON content type, bytes that are not UTF-8,
 * malformed JSON, nesting deeper than `MAX_JSON_DEPTH` or text with a lone surrogate escape is a
 * 400 with a message saying which. The result is `unknown`: callers validate it with zod.
 */
export function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    throw new AppError('invalid_json', 'The request body must be JSON (Content-Type: application/json).');
  }
  if (body.length === 0) throw new AppError('invalid_json', 'The request body is empty; a JSON object was expected.');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid UTF-8 text.');
  }
  // Checked on the text, before parsing, so a hostile body never becomes a deep structure.
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new AppError('bad_request', `The request body is nested too deeply (at most ${MAX_JSON_DEPTH} levels).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
  if (hasLoneSurrogate(value)) {
    throw new AppError('bad_request', 'The request body contains text that is not valid Unicode (a lone surrogate).');
  }
  return value;
}

/** The deepest bracket nesting of JSON text, ignoring brackets inside strings. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return deepest;
}

/** True when any string or key in a parsed body (at most `MAX_JSON_DEPTH` deep) has a lone surrogate. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  return Object.entries(value).some(([key, item]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(item));
}
