type Maybe<T> = T | undefined | false;

/**
 * Polls `check` every 20 ms until it gives a value other than undefined/false, or fails after
 * `timeoutMs`. `check` may be async (a database query); its promise is awaited, never taken as
 * the value.
 */
export async function waitFor<T>(check: () => Maybe<T> | Promise<Maybe<T>>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
