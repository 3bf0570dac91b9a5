const BASE = 'http://same-origin.invalid';

/** Longest `next` accepted; a real path on this site is far shorter. */
const MAX_LENGTH = 2_048;

/** Decoding rounds tried on the path: each may reveal another layer (`%252f` is `%2f` is `/`). */
const DECODE_ROUNDS = 4;

/**
 * A path that leaves the site once a browser or a server reads it: it starts with two slashes
 * or backslashes in any mix (`//host`, `/\host`, `\/host`: browsers read `\` as `/`), or holds
 * a control character (browsers drop tabs and newlines, so `/<tab>/host` is `//host`).
 */
// eslint-disable-next-line no-control-regex
const LEAVES_SITE = /^[/\\][/\\]|[\u0000-\u001F\u007F]/;

/**
 * Where to go after signing in, from the `next` query parameter: only a path on this site, else
 * `fallback`. The value is checked as a browser will read it, after normalisation: it is resolved
 * with the URL parser (dot segments `/.//`, `/%2e//`, `/x/..//` collapse to `//…` there), and the
 * resolved path must keep this origin and not start with `//` or `/\`. The same must hold of every
 * percent-decoding of it (`/%2f%2fevil`, `/%5c/evil`, `%252f` doubly encoded), so no later reader
 * that decodes the path, a router or a proxy, can turn it into a link to another host. What is
 * returned is the normalised path (with its query and fragment), which passes the same checks.
 */
export function safeNextPath(value: unknown, fallback = '/dashboard'): string {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || !value.startsWith('/')) return fallback;
  const resolved = resolveOnSite(value);
  if (resolved === null) return fallback;
  let path = resolved.pathname;
  for (let round = 0; round < DECODE_ROUNDS; round += 1) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return fallback;
    }
    if (decoded === path) break;
    // Checked as it is and as a URL parser resolves it; the next round decodes it as it is.
    if (resolveOnSite(decoded) === null) return fallback;
    path = decoded;
  }
  const result = resolved.pathname + resolved.search + resolved.hash;
  // The result itself must come back unchanged: what the browser is sent to is what was checked.
  const check = resolveOnSite(result);
  return check !== null && check.pathname + check.search + check.hash === result ? result : fallback;
}

/** `text` resolved against this site, or null when it leaves the site (before or after resolving). */
function resolveOnSite(text: string): URL | null {
  if (LEAVES_SITE.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE || LEAVES_SITE.test(url.pathname)) return null;
  return url;
}
