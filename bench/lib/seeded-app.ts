import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchServer, startBenchServer } from './bench-server.ts';
import { openRawSocketIo } from './raw-socket-io.ts';
import { type SeedAlert, seedBenchDatabase } from './seed-bench-database.ts';

export interface SeededAppOptions {
  users: number;
  alerts?: SeedAlert[];
  /** The simulator the app follows. */
  feedUrl: string;
  restUrl: string;
  nodeFlags?: string[];
}

export interface SeededApp {
  server: BenchServer;
  /** One signed session cookie per seeded user. */
  cookies: string[];
  /** Stops the server and removes its data dir. */
  close(): Promise<void>;
}

/**
 * The app in its own process on a fresh database in a temp dir, with `users` users (one session
 * each) and `alerts` seeded straight into the database. One socket connects with the first
 * cookie before anything else, so a cookie the server does not accept fails here, with the
 * server's reason, instead of as thousands of refused connections.
 */
export async function startSeededApp(options: SeededAppOptions): Promise<SeededApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-bench-'));
  const databaseFile = path.join(dataDir, 'tickwatch.db');
  const secret = randomBytes(32).toString('base64url');
  let server: BenchServer | null = null;
  const close = async (): Promise<void> => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const { cookies } = await seedBenchDatabase({ database: { provider: 'sqlite', file: databaseFile }, secret, users: options.users, alerts: options.alerts });
    server = await startBenchServer({
      dataDir,
      databaseUrl: `file:${databaseFile}`,
      secret,
      feedUrl: options.feedUrl,
      restUrl: options.restUrl,
      sockets: options.users,
      nodeFlags: options.nodeFlags,
    });
    const probe = await openRawSocketIo({ baseUrl: server.baseUrl, cookie: cookies[0]!, products: ['BTC-USD'], onEvent: () => undefined });
    probe.close();
    return { server, cookies, close };
  } catch (error) {
    await close();
    throw error;
  }
}
