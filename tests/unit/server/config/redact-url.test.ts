import { describe, expect, it } from 'vitest';
import { redactPassword, redactUrl } from '../../../../server/config/redact-url.ts';

describe('redactUrl', () => {
  it.each([
    ['postgresql://app:hunter2@db:5432/x', 'postgresql://app:***@db:5432/x'],
    ['postgresql://db/x?user=a&password=hunter2', 'postgresql://db/x?user=a&password=***'],
    ['redis://:hunter2@cache:6379/2', 'redis://:***@cache:6379/2'],
    ['http://user:hunter2@cache.internal:6379', 'http://user:***@cache.internal:6379/'],
    ['postgresql://db:5432/x', 'postgresql://db:5432/x'],
    // Not a URL (a password holding "/"): everything between // and the last @ goes.
    ['redis://:ab/cd@cache', 'redis://***@cache'],
    ['postgresql://app:a@b/c@db:notaport/x', 'postgresql://***@db:notaport/x'],
    // An @ in the query is no password: the host stays.
    ['postgresql://u:hunter2@db.internal:5432/tick?application_name=x@y', 'postgresql://u:***@db.internal:5432/tick?application_name=x@y'],
  ])('%s -> %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toMatch(/hunter2|cd@|a@b/);
  });
});

describe('redactPassword', () => {
  it('masks the raw and the percent-decoded password wherever it appears, and nothing without one', () => {
    const url = 'postgresql://app:p%40ss@db:5432/x';
    expect(redactPassword('auth failed for p%40ss (p@ss)', url)).toBe('auth failed for *** (***)');
    expect(redactPassword('nothing secret', 'postgresql://db/x')).toBe('nothing secret');
    expect(redactPassword('kept', 'not a url')).toBe('kept');
  });
});
