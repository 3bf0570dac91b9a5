import type { TestApp } from './test-app.ts';
import { signUpUser } from './sign-up-user.ts';

/** The cookie of a fresh user whose session row has expired in the database (the cookie itself is well signed). */
export async function expiredSessionCookie(t: TestApp): Promise<string> {
  const user = await signUpUser(t.baseUrl, 'expired');
  await t.app.db.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
  return user.http.cookieHeader;
}

/** The cookie a fresh user held before signing out (its session no longer exists). */
export async function signedOutSessionCookie(t: TestApp): Promise<string> {
  const user = await signUpUser(t.baseUrl, 'signed-out');
  const cookie = user.http.cookieHeader;
  const response = await user.http.request('POST', '/api/auth/sign-out', {});
  if (response.status !== 200) throw new Error(`sign-out failed: ${response.status}`);
  return cookie;
}
