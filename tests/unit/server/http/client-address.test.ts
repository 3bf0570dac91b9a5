import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, compileProxyTrust, isTrustedProxy } from '../../../../server/http/client-address.ts';

function request(peer: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress: peer }, connection: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  it('is the peer without TRUSTED_PROXIES, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(request('203.0.113.9', '198.51.100.1'), null)).toBe('203.0.113.9');
    expect(clientAddress(request('::ffff:203.0.113.9', '198.51.100.1'), null)).toBe('203.0.113.9');
  });

  it('takes X-Forwarded-For only from a trusted proxy, the nearest untrusted hop from the right', () => {
    const trust = compileProxyTrust(['10.0.0.0/8', '192.168.1.10']);
    expect(clientAddress(request('10.1.2.3', '198.51.100.7'), trust)).toBe('198.51.100.7');
    // A client cannot put itself further left: the proxy appends the address it saw.
    expect(clientAddress(request('10.1.2.3', '1.1.1.1, 198.51.100.7'), trust)).toBe('198.51.100.7');
    // Two trusted proxies in a row are skipped.
    expect(clientAddress(request('10.1.2.3', '198.51.100.7, 192.168.1.10'), trust)).toBe('198.51.100.7');
    // An untrusted peer's header is ignored.
    expect(clientAddress(request('203.0.113.9', '198.51.100.7'), trust)).toBe('203.0.113.9');
    // A trusted proxy that forwards nothing is the client.
    expect(clientAddress(request('10.1.2.3'), trust)).toBe('10.1.2.3');
  });

  it('reads IPv6 peers and CIDRs', () => {
    const trust = compileProxyTrust(['fd00::/8']);
    expect(clientAddress(request('fd00::1', '2001:db8::5'), trust)).toBe('2001:db8::5');
    expect(isTrustedProxy('fd00::1', trust)).toBe(true);
    expect(isTrustedProxy('2001:db8::5', trust)).toBe(false);
    expect(isTrustedProxy('10.0.0.1', null)).toBe(false);
  });

  it('refuses malformed entries', () => {
    expect(() => compileProxyTrust(['10.0.0.0/33'])).toThrow(/invalid range/);
    expect(() => compileProxyTrust(['proxy.internal'])).toThrow(/invalid IP address/);
  });
});
