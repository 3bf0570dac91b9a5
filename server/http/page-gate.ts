/** Pages that need a session; a signed-out visitor is sent to sign-in. */
const PROTECTED_PREFIXES = ['/dashboard', '/alerts', '/inbox', '/account'];
/** Pages for signed-out visitors; a signed-in one is sent to the dashboard. */
const GUEST_PAGES = new Set(['/sign-in', '/sign-up']);

export type GateDecision = { redirect: string } | { pass: true };

/**
 * Decides where a page request goes given whether the visitor is signed in. Pure: the caller
 * resolves the session only for paths where `needsSession(path)` is true.
 */
export function gatePage(pathname: string, signedIn: boolean, search: string): GateDecision {
  if (pathname === '/') return { redirect: signedIn ? '/dashboard' : '/sign-in' };
  if (GUEST_PAGES.has(pathname)) return signedIn ? { redirect: '/dashboard' } : { pass: true };
  if (isProtected(pathname) && !signedIn) {
    const next = encodeURIComponent(pathname + search);
    return { redirect: `/sign-in?next=${next}` };
  }
  return { pass: true };
}

/** True for the paths whose handling depends on the session. */
export function needsSession(pathname: string): boolean {
  return pathname === '/' || GUEST_PAGES.has(pathname) || isProtected(pathname);
}

function isProtected(pathname: string): boolean {
  return PROTECTED_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}
