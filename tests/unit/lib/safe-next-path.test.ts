import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../../../lib/safe-next-path.ts';

describe('safeNextPath', () => {
  it.each(['/dashboard', '/alerts?x=1', '/inbox#latest', '/account/'])('keeps the own path %s', (path) => {
    expect(safeNextPath(path)).toBe(path);
  });

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
  ])('falls back for %s', (_label, value) => {
    expect(safeNextPath(value)).toBe('/dashboard');
  });

  // What a browser would do with the refused values: each leaves the site.
  it.each(['/\\evil.example', '/\t/evil.example'])('refuses %j, which a browser resolves to another host', (value) => {
    expect(new URL(value, 'http://127.0.0.1:3000').host).toBe('evil.example');
    expect(safeNextPath(value)).toBe('/dashboard');
  });
});
