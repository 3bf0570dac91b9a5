import type { Alert } from '../../lib/realtime/events.ts';

/**
 * A small HTTP client that keeps cookies like a browser would and sends the page's Origin on
 * every request, so tests speak to the server exactly as the app's own pages do.
 */
export class HttpClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const init: RequestInit = {
      method,
      redirect: 'manual',
      headers: {
        origin: this.baseUrl,
        ...(this.cookies.size > 0 ? { cookie: this.cookieHeader } : {}),
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
    };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(this.baseUrl + path, init);
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      const text = value.join('=');
      if (text === '' || /max-age=0/i.test(line)) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), text);
    }
    return response;
  }

  async signUp(email: string, password = 'correct horse battery', name = 'Test User'): Promise<Response> {
    return this.request('POST', '/api/auth/sign-up/email', { email, password, name });
  }

  async signIn(email: string, password = 'correct horse battery'): Promise<Response> {
    return this.request('POST', '/api/auth/sign-in/email', { email, password });
  }

  /** Creates an alert and returns it; throws with the server's answer unless it is 201. */
  async createAlert(body: Record<string, unknown>): Promise<Alert> {
    const response = await this.request('POST', '/api/alerts', body);
    if (response.status !== 201) throw new Error(`alert not created: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { alert: Alert }).alert;
  }
}

let counter = 0;
/** A unique address per call, so tests never collide on an existing account. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.com`;
}
