import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isAllowedOrigin, isOwnOrigin } from '../../../../server/http/origin-check.ts';

function req(method: string, headers: Record<string, string>): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}

describe('isOwnOrigin', () => {
  it('matches the Host the request was sent to, for localhost and 127.0.0.1 on any port', () => {
    expect(isOwnOrigin('http://localhost:3000', 'localhost:3000', undefined)).toBe(true);
    expect(isOwnOrigin('http://127.0.0.1:4123', '127.0.0.1:4123', undefined)).toBe(true);
    expect(isOwnOrigin('http://localhost:3000', '127.0.0.1:3000', undefined)).toBe(false);
    expect(isOwnOrigin('http://evil.example', 'localhost:3000', undefined)).toBe(false);
    expect(isOwnOrigin('null', 'localhost:3000', undefined)).toBe(false);
  });

  it('requires the scheme this server speaks: https://host is another origin than http://host', () => {
    expect(isOwnOrigin('https://localhost:3000', 'localhost:3000', undefined)).toBe(false);
    expect(isOwnOrigin('https://127.0.0.1:4123', '127.0.0.1:4123', undefined)).toBe(false);
    expect(isOwnOrigin('ws://localhost:3000', 'localhost:3000', undefined)).toBe(false);
    expect(isOwnOrigin('ftp://localhost:3000', 'localhost:3000', undefined)).toBe(false);
    expect(isOwnOrigin('https://localhost:3000', 'localhost:3000', undefined, 'https:')).toBe(true);
    expect(isOwnOrigin('http://localhost:3000', 'localhost:3000', undefined, 'https:')).toBe(false);
    expect(isAllowedOrigin(req('POST', { origin: 'https://a:1', host: 'a:1', cookie: 's=1' }), undefined)).toBe(false);
  });

  it('accepts only PUBLIC_URL once it is set', () => {
    const publicUrl = new URL('https://alerts.example.com');
    expect(isOwnOrigin('https://alerts.example.com', 'internal:3000', publicUrl)).toBe(true);
    expect(isOwnOrigin('http://internal:3000', 'internal:3000', publicUrl)).toBe(false);
  });
});

describe('isAllowedOrigin', () => {
  it('always allows safe methods', () => {
    expect(isAllowedOrigin(req('GET', { origin: 'http://evil.example', host: 'a:1' }), undefined)).toBe(true);
  });

  it('refuses a cross-origin write and a cookie-bearing write without Origin', () => {
    expect(isAllowedOrigin(req('POST', { origin: 'http://evil.example', host: 'a:1' }), undefined)).toBe(false);
    expect(isAllowedOrigin(req('DELETE', { cookie: 's=1', host: 'a:1' }), undefined)).toBe(false);
  });

  it('allows a same-origin write and a cookieless scripted one', () => {
    expect(isAllowedOrigin(req('POST', { origin: 'http://a:1', host: 'a:1', cookie: 's=1' }), undefined)).toBe(true);
    expect(isAllowedOrigin(req('POST', { host: 'a:1' }), undefined)).toBe(true);
  });
});
