import type { IncomingMessage } from 'node:http';
import { AppError } from '../../lib/errors.ts';

/**
 * Reads the whole request body, refusing with 413 as soon as it passes `limit` bytes (by the
 * declared Content-Length or while streaming), so an oversized upload is never buffered.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new AppError('payload_too_large', `The request body is larger than the limit of ${limit} bytes.`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses a JSON request body. An empty body, a non-JSON content type or malformed JSON is a
 * 400 with a message saying which. The result is `unknown`: callers validate it with zod.
 */
export function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (!/^application\/json\b/i.test(contentType ?? '')) {
    throw new AppError('invalid_json', 'The request body must be JSON (Content-Type: application/json).');
  }
  if (body.length === 0) throw new AppError('invalid_json', 'The request body is empty; a JSON object was expected.');
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
}
