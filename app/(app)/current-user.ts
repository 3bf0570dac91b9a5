import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_USER_HEADER, type SessionUser, decodeSessionUser } from '@/lib/session-header';

/**
 * The signed-in user of this request, as resolved by the custom server's page gate. The gate
 * already redirected signed-out visitors; the redirect here only covers a page reached some other
 * way.
 */
export async function currentUser(): Promise<SessionUser> {
  const user = decodeSessionUser((await headers()).get(SESSION_USER_HEADER));
  if (!user) redirect('/sign-in');
  return user;
}
