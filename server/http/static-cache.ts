import { readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How browsers may cache the files of `public/` (favicon, icons, manifest, robots.txt): one day,
 * then used while revalidated in the background for up to a week more. Not `immutable`: their
 * names carry no content hash, so a changed favicon or manifest must reach everyone within a day;
 * the revalidation is a cheap 304 (Next's static server sends an ETag and Last-Modified).
 * Fingerprinted build assets (`/_next/static/…`) keep Next's own one-year immutable policy.
 */
export const PUBLIC_FILE_CACHE_CONTROL = 'public, max-age=86400, stale-while-revalidate=604800';

const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'public');

/** The URL paths of the files under `dir` ("/favicon.ico", "/icons/a.png"); none if it is missing. */
export function listPublicPaths(dir: string): Set<string> {
  const paths = new Set<string>();
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return paths;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name));
    paths.add(`/${relative.split(path.sep).join('/')}`);
  }
  return paths;
}

let publicPaths: Set<string> | null = null;

/**
 * Sets the public-file caching header on a GET or HEAD of a file in `public/` (listed once, on
 * first use), before Next serves it: Next's static server keeps a Cache-Control already set. Any
 * other request is left alone. The security headers set before it stay as they are.
 */
export function applyStaticCaching(req: IncomingMessage, res: ServerResponse, pathname: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return;
  publicPaths ??= listPublicPaths(PUBLIC_DIR);
  if (publicPaths.has(pathname)) res.setHeader('Cache-Control', PUBLIC_FILE_CACHE_CONTROL);
}
