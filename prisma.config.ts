// Prisma CLI configuration. The schema engine is the WebAssembly build wrapped in a small
// JSON-RPC shim (docs/prisma-offline.md), so generate and migrate work with no network access.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';
import { DEFAULT_DATABASE_URL, resolveSqliteFile } from './server/db/database-url.ts';

const root = path.dirname(fileURLToPath(import.meta.url));

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'scripts/schema-engine/schema-engine');

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const file = resolveSqliteFile(url, root);
if (file === null) {
  throw new Error(`DATABASE_URL must be a SQLite file: URL like ${DEFAULT_DATABASE_URL} (got "${url}")`);
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: `file:${file}` },
});
