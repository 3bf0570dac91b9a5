import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../lib/seeded-random.ts';
import { safeNextPath } from '../../../lib/safe-next-path.ts';

const FALLBACK = '/dashboard';
/** Origins the app may be served from; the check must not depend on which. */
const BASES = ['http://127.0.0.1:3000/sign-in?next=x', 'https://alerts.example.com/sign-in', 'http://localhost/'];

describe('safeNextPath', () => {
  it.each(['/dashboard', '/alerts?x=1', '/inbox#latest', '/account/', '/alerts/abc-123', '/a%20b', '/dashboard?next=//evil.example', '/alerts?q=%2f%2fevil'])(
    'keeps the own path %s',
    (path) => {
      expect(safeNextPath(path)).toBe(path);
    },
  );

  it.each([
    ['protocol-relative', '//evil.example'],
    ['backslash read as a slash', '/\\evil.example'],
    ['backslashes only', '\\\\evil.example'],
    ['a tab browsers drop', '/\t/evil.example'],
    ['a newline browsers drop', '/\n/evil.example'],
    ['an absolute URL', 'https://evil.example/dashboard'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'dashboard'],
    ['an empty value', ''],
    ['a list', ['/dashboard']],
    ['nothing', undefined],
    ['a dot segment before //', '/.//evil.example'],
    ['an encoded dot segment before //', '/%2e//evil.example'],
    ['a parent segment back to //', '/x/..//evil.example'],
    ['an encoded parent segment back to //', '/x/%2e%2e//evil.example'],
    ['an encoded slash after the first', '/%2fevil.example'],
    ['an encoded backslash after the first', '/%5cevil.example'],
    ['a doubly encoded slash', '/%252fevil.example'],
    ['malformed percent-encoding', '/%E0%A4%A'],
    ['an encoded tab', '/%09/evil.example'],
    ['a very long value', `/${'a'.repeat(5_000)}`],
  ])('falls back for %s', (_label, value) => {
    expect(safeNextPath(value)).toBe(FALLBACK);
  });

  // What a browser would do with the refused values: each leaves the site.
  it.each(['/\\evil.example', '/\t/evil.example', '/.//evil.example', '/%2e//evil.example', '/x/..//evil.example'])(
    'refuses %j, which a browser resolves off the site or to //host',
    (value) => {
      const resolved = new URL(value, 'http://127.0.0.1:3000');
      expect(resolved.host !== '127.0.0.1:3000' || resolved.pathname.startsWith('//')).toBe(true);
      expect(safeNextPath(value)).toBe(FALLBACK);
    },
  );
});

/** Pieces of hostile `next` values: every way a path has been made to leave a site. */
const PREFIXES = ['/', '//', '/\\', '\\', '\\/', '/%2f', '/%2F', '/%5c', '/%5C', '/.', '/./', '/%2e', '/%2E/', '/..', '/x/..', '/x/%2e%2e', '/%252f', '/%255c', '/\t', '/\n', '/\r', '/ ', '/%09', '/%0a', '/%00', 'https:', 'http:', 'javascript:', '', '/\u3002', '/%E3%80%82'];
const MIDDLES = ['/', '//', '\\', '/\\', '%2f', '%2F', '%5c', '%5C', '%2e', '%2E', '.', '..', '/./', '/../', '/%2e%2e/', '%252f', '%25', '%', '\t', '\n', '\r', '@', '%40', ':', '%3a', '?', '#', '%3f', '%23', ' ', '%20', '\u00a0', 'x', 'dashboard'];
const HOSTS = ['evil.example', 'evil.example:80', '@evil.example', 'user@evil.example', 'EVIL.example', 'evil.example.', 'xn--evil-9ya.example'];
const TAILS = ['', '/dashboard', '?x=1', '#y', '/%2f', '/..', '?next=//evil.example'];

function leavesSite(text: string, base: string): boolean {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return true;
  }
  return url.origin !== new URL(base).origin || /^[/\\][/\\]/.test(url.pathname);
}

/** Every reading of `path` by a reader that percent-decodes it once more (up to 5 times), each resolved again. */
function readings(path: string): string[] {
  const out = [path];
  let current = path;
  for (let i = 0; i < 5; i += 1) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      break;
    }
    if (decoded === current) break;
    out.push(decoded);
    current = decoded;
  }
  return out;
}

function expectSafe(value: string): void {
  const result = safeNextPath(value);
  // A value a browser would take off the site always falls back.
  if (BASES.some((base) => leavesSite(value, base))) {
    expect(result, JSON.stringify(value)).toBe(FALLBACK);
    return;
  }
  if (result === FALLBACK) return;
  expect(result.startsWith('/'), JSON.stringify(value)).toBe(true);
  expect(/^[/\\][/\\]/.test(result), JSON.stringify(value)).toBe(false);
  // eslint-disable-next-line no-control-regex
  expect(/[\u0000-\u001F\u007F]/.test(result), JSON.stringify(value)).toBe(false);
  const path = new URL(result, 'http://x.invalid').pathname;
  for (const reading of readings(path)) {
    for (const base of BASES) expect(leavesSite(reading, base), `${JSON.stringify(value)} read as ${JSON.stringify(reading)} from ${base}`).toBe(false);
  }
  for (const base of BASES) expect(leavesSite(result, base), JSON.stringify(value)).toBe(false);
  expect(safeNextPath(result), `not idempotent for ${JSON.stringify(value)}`).toBe(result);
}

describe('safeNextPath, property style', () => {
  it('no combination of prefix, separator and host leaves the site', { timeout: 60_000 }, () => {
    let count = 0;
    for (const prefix of PREFIXES) {
      for (const middle of MIDDLES) {
        for (const host of HOSTS) {
          expectSafe(prefix + middle + host);
          expectSafe(prefix + middle + middle + host + '/dashboard');
          count += 2;
        }
      }
    }
    expect(count).toBeGreaterThan(10_000);
  });

  it('no random sequence of hostile pieces leaves the site (20,000 values, seeded)', { timeout: 60_000 }, () => {
    const random = createSeededRandom(20_261_202);
    const pick = <T>(items: readonly T[]): T => items[random.int(0, items.length - 1)]!;
    for (let i = 0; i < 20_000; i += 1) {
      let value = pick(PREFIXES);
      for (let n = random.int(0, 5); n > 0; n -= 1) value += pick(MIDDLES);
      if (random.next() < 0.7) value += pick(HOSTS);
      value += pick(TAILS);
      expectSafe(value);
    }
  });

  it('keeps every plain path on the site as it is', () => {
    const random = createSeededRandom(7);
    const segment = () => Array.from({ length: random.int(1, 12) }, () => 'abcdefghijklmnopqrstuvwxyz0123456789-_~'[random.int(0, 38)]).join('');
    for (let i = 0; i < 2_000; i += 1) {
      const path = '/' + Array.from({ length: random.int(1, 4) }, segment).join('/') + (random.next() < 0.3 ? '?x=1' : '') + (random.next() < 0.2 ? '#top' : '');
      expect(safeNextPath(path)).toBe(path);
    }
  });
});
