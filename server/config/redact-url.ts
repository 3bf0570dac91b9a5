/** What stands in for a password in logs and errors. */
const MASK = '***';

/**
 * A URL as a log line or an error may show it: its password, and any query parameter named like
 * one (`?password=`), masked. Text that does not parse as a URL, or parses with an `@` past its
 * host (a password holding a `/`, say), loses everything between `//` and the last `@`.
 */
export function redactUrl(value: string): string {
  const masked = value.replace(/\/\/.*@/, `//${MASK}@`);
  if (!URL.canParse(value)) return masked;
  const parsed = new URL(value);
  // An @ in the path: a password holding "/" and "@" that the parser split; mask it all.
  if (parsed.pathname.includes('@')) return masked;
  if (parsed.password !== '') parsed.password = MASK;
  for (const key of [...parsed.searchParams.keys()]) if (/pass/i.test(key)) parsed.searchParams.set(key, MASK);
  return parsed.toString();
}

/**
 * `text` (a tool's output, an error message) with the password of `url` masked wherever it
 * appears, as written in the URL and percent-decoded.
 */
export function redactPassword(text: string, url: string): string {
  const password = URL.canParse(url) ? new URL(url).password : '';
  if (password === '') return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed escape: only the raw form can appear.
  }
  return text.split(password).join(MASK).split(decoded).join(MASK);
}
