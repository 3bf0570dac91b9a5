import type http from 'node:http';

/**
 * The HTTP server's listening socket as a part of the service: `listen()` binds it, `close()`
 * stops accepting new connections at once and returns without waiting for the open ones (the
 * sockets are disconnected and the requests finished by the parts closed after it).
 */
export function createListener(server: http.Server) {
  return {
    /** Resolves with the bound port (useful with port 0); rejects when it cannot bind. */
    listen(port: number, host: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    close(): void {
      server.close();
    },
  };
}
