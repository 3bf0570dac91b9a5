import { HttpClient, uniqueEmail } from './http-client.ts';

export interface TestUser {
  http: HttpClient;
  id: string;
  email: string;
}

/** Signs up a fresh user and returns its client (holding the session cookie) and id. */
export async function signUpUser(baseUrl: string, prefix = 'user', password?: string): Promise<TestUser> {
  const http = new HttpClient(baseUrl);
  const email = uniqueEmail(prefix);
  const response = await http.signUp(email, password);
  if (response.status !== 200) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const { user } = (await response.json()) as { user: { id: string } };
  return { http, id: user.id, email };
}
