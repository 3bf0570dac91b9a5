import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Which peers' `X-Forwarded-For` is believed: none, or a compiled TRUSTED_PROXIES list. */
export type ProxyTrust = ((address: string, hop: number) => boolean) | null;

/**
 * Compiles TRUSTED_PROXIES (IPs and CIDRs, IPv4 or IPv6) with proxy-addr, the parser Express
 * uses; throws a TypeError naming a malformed entry.
 */
export function compileProxyTrust(list: readonly string[]): ProxyTrust {
  return list.length === 0 ? null : proxyaddr.compile([...list]);
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one client. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The client's address for rate limits, caps and logs: the peer's, unless the peer is a trusted
 * proxy; then the first address in `X-Forwarded-For`, read from the right, that is not itself a
 * trusted proxy. A header from anyone else is ignored, so no client can claim another address.
 */
export function clientAddress(req: IncomingMessage, trust: ProxyTrust): string {
  if (!trust) return normalizeAddress(req.socket.remoteAddress);
  return normalizeAddress(proxyaddr(req, trust));
}

/** Whether a peer is one of the trusted proxies (it carries many clients' connections). */
export function isTrustedProxy(address: string | undefined, trust: ProxyTrust): boolean {
  return trust !== null && address !== undefined && trust(address, 0);
}
