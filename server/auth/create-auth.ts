import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../lib/auth-rules.ts';

const DAY_S = 86_400;

export interface AuthOptions {
  db: Db;
  secret: string;
  /** The public origin behind a proxy; without it the origin is the request's own Host. */
  publicUrl: URL | undefined;
  logger: Logger;
  /** Runs Better Auth's password hashing and checks, a bounded number at once. */
  passwordHasher: Pick<PasswordHasher, 'hash' | 'verify'>;
}

/**
 * The request header through which the HTTP layer hands Better Auth the connection's address
 * (replacing any value a client sent). Better Auth reads `X-Forwarded-For` by default, which
 * any client can set: sessions then recorded whatever address the client claimed.
 */
export const CLIENT_IP_HEADER = 'x-tickwatch-client-ip';

/**
 * Creates the Better Auth instance: email + password, sessions in the database (no cookie cache,
 * so a sign-out takes effect on the very next request or socket check), httpOnly SameSite=Lax
 * cookies that are Secure when the public URL is https. Rate limiting is done in front of it by
 * the HTTP layer, which also checks Origin, so Better Auth's own limiter is off. Password hashes
 * go through `passwordHasher` (bounded concurrency); the client address is the connection's.
 */
export function createAuth({ db, secret, publicUrl, logger, passwordHasher }: AuthOptions) {
  const log = logger.child({ module: 'auth' });
  return betterAuth({
    appName: 'Tickwatch',
    secret,
    basePath: '/api/auth',
    ...(publicUrl ? { baseURL: publicUrl.origin } : {}),
    database: prismaAdapter(db, { provider: 'sqlite' }),
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      password: { hash: passwordHasher.hash, verify: passwordHasher.verify },
    },
    user: { deleteUser: { enabled: true } },
    session: { expiresIn: 7 * DAY_S, updateAge: DAY_S },
    // Same-origin by the Host the request was sent to, so the app works as localhost or
    // 127.0.0.1 on any port; PUBLIC_URL pins it behind a proxy.
    trustedOrigins: (request) => {
      if (publicUrl) return [publicUrl.origin];
      return request ? [new URL(request.url).origin] : [];
    },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    advanced: {
      useSecureCookies: publicUrl?.protocol === 'https:',
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax' },
      // The connection's own address, as the HTTP layer puts it in CLIENT_IP_HEADER; IPv6 kept whole.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER], ipv6Subnet: 128 },
    },
    logger: {
      level: 'warn',
      log: (level, message) => {
        // Deriving the origin from each request is the documented behaviour without PUBLIC_URL
        // (the HTTP layer has already checked that Origin and Host agree), not a problem.
        const expected = !publicUrl && message.includes('Base URL is not set');
        log[expected ? 'debug' : level]({ detail: message }, 'auth');
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
