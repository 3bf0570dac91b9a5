const BASE = 'http://same-origin.invalid';

/**
 * Where to go after signing in, from the `next` query parameter: only a path on this site, else
 * `fallback`. Browsers read `\` as `/` and drop tabs and newlines in URLs, so `/\evil.example`
 * and `/<tab>/evil.example` are protocol-relative links to another site: they are refused too.
 */
export function safeNextPath(value: unknown, fallback = '/dashboard'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001F\u007F]/.test(value)) return fallback;
  const url = new URL(value, BASE);
  return url.origin === BASE ? url.pathname + url.search + url.hash : fallback;
}
