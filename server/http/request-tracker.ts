import type http from 'node:http';

/** After the server stops listening, how long open connections get before they are cut, in ms. */
const CONNECTIONS_GRACE_MS = 3_000;
/** How long requests still being handled (a client that left mid-request, say) get to finish, in ms. */
const IN_FLIGHT_GRACE_MS = 5_000;

/**
 * Keeps count of the requests being handled, so that closing waits for them before the database
 * closes under them. `handle` is the server's request listener; `close()`, once the listener has
 * stopped accepting and the sockets are gone, ends idle connections, cuts the rest after a grace
 * and waits (bounded) for the requests still running.
 */
export function createRequestTracker(server: http.Server, handleRequest: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) {
  const inFlight = new Set<Promise<void>>();
  // 'close' comes once the server stopped listening and its last connection ended.
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  return {
    handle: (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const handling = handleRequest(req, res);
      inFlight.add(handling);
      void handling.finally(() => inFlight.delete(handling));
    },
    async close(): Promise<void> {
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), CONNECTIONS_GRACE_MS);
      await closed;
      clearTimeout(force);
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_GRACE_MS).unref())]);
    },
  };
}
