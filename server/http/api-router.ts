import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../lib/errors.ts';
import type { SessionInfo } from '../auth/get-session.ts';
import { parseJsonBody, readBody } from './read-body.ts';
import { sendJson } from './send.ts';

export interface ApiContext {
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  session: SessionInfo;
  /** Reads and parses the JSON body (under the size limit); unknown, to be validated with zod. */
  body: () => Promise<unknown>;
}

export interface ApiResult {
  status?: number;
  body?: unknown;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path with `:name` segments, e.g. `/api/prices/:product`. */
  path: string;
  handle(ctx: ApiContext): Promise<ApiResult> | ApiResult;
}

interface CompiledRoute extends ApiRoute {
  pattern: RegExp;
  names: string[];
}

/**
 * Matches JSON API requests to routes. Every route needs a session (401 without one); a path that
 * exists with another method is 405; anything else is 404. Handlers throw `AppError` for the
 * caller's mistakes.
 */
export function createApiRouter(routes: ApiRoute[], maxBodyBytes: number) {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    return { ...route, pattern: new RegExp(`^${source}/?$`), names };
  });

  return async function route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    session: SessionInfo | null,
  ): Promise<void> {
    const matches = compiled
      .map((r) => ({ r, m: r.pattern.exec(url.pathname) }))
      .filter((x): x is { r: CompiledRoute; m: RegExpExecArray } => x.m !== null);
    if (matches.length === 0) throw new AppError('not_found', `There is no API route ${req.method ?? 'GET'} ${url.pathname}.`);
    if (!session) throw new AppError('unauthorized', 'Sign in to use this.');
    const found = matches.find(({ r }) => r.method === req.method);
    if (!found) {
      res.setHeader('Allow', [...new Set(matches.map(({ r }) => r.method))].join(', '));
      throw new AppError('method_not_allowed', `${req.method ?? 'GET'} is not allowed on ${url.pathname}.`);
    }
    const params = Object.fromEntries(found.r.names.map((name, i) => [name, decodeSegment(found.m[i + 1] ?? '')]));
    const body = async () => parseJsonBody(await readBody(req, maxBodyBytes), req.headers['content-type']);
    const result = await found.r.handle({ req, url, params, session, body });
    if (result.body === undefined) {
      res.statusCode = result.status ?? 204;
      res.end();
      return;
    }
    sendJson(res, result.status ?? 200, result.body);
  };
}

export type ApiRouter = ReturnType<typeof createApiRouter>;

/**
 * A path parameter decoded; `%`, `%E0%A4%A` and other malformed percent-encoding are a 400, and
 * so is a control character (`%00`: PostgreSQL refuses a NUL in text, and no id or product has one).
 */
function decodeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new AppError('bad_request', 'The request path has malformed percent-encoding (a lone % or an incomplete UTF-8 sequence).');
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(decoded)) throw new AppError('bad_request', 'The request path has a control character in it.');
  return decoded;
}
