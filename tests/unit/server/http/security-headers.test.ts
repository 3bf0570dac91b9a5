import { describe, expect, it } from 'vitest';
import { getScriptNonceFromHeader } from 'next/dist/server/app-render/get-script-nonce-from-header.js';
import { createNonce, pageCsp } from '../../../../server/http/security-headers.ts';

describe('pageCsp', () => {
  it('allows scripts only by nonce in production', () => {
    const csp = pageCsp('abc123', false);
    const script = csp.split('; ').find((d) => d.startsWith('script-src'));
    expect(script).toBe("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
  });

  it('carries a nonce that Next.js itself can read back', () => {
    const nonce = createNonce();
    expect(getScriptNonceFromHeader(pageCsp(nonce, false))).toBe(nonce);
  });

  it('makes a different nonce every time', () => {
    expect(createNonce()).not.toBe(createNonce());
  });
});
