// Prisma CLI configuration. The schema engine is the WebAssembly build wrapped in a small
// JSON-RPC shim (docs/prisma-offline.md), so generate and migrate work with no network access.
//
// DATABASE_URL chooses the provider: a SQLite `file:` URL uses prisma/schema.prisma and
// prisma/migrations; a `postgresql://` or `postgres://` URL uses the schema generated from it,
// prisma/postgresql/schema.prisma, and prisma/postgresql/migrations (SHADOW_DATABASE_URL, when
// set, is the shadow database `prisma migrate dev` uses instead of creating a temporary one).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';
import { DEFAULT_DATABASE_URL, PRISMA_LAYOUT, resolveDatabase } from './server/db/database-url.ts';

const root = path.dirname(fileURLToPath(import.meta.url));

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'scripts/schema-engine/schema-engine');

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const database = resolveDatabase(url, root);
if (database === null) {
  throw new Error(
    `DATABASE_URL must be a SQLite file: URL like ${DEFAULT_DATABASE_URL} or a postgresql:// URL with a host and a` +
      ` database name (got "${url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')}")`,
  );
}

const layout = PRISMA_LAYOUT[database.provider];
const shadowDatabaseUrl = process.env.SHADOW_DATABASE_URL || undefined;

export default defineConfig({
  schema: layout.schema,
  migrations: { path: layout.migrations },
  datasource:
    database.provider === 'sqlite'
      ? { url: `file:${database.file}` }
      : { url: database.url, ...(shadowDatabaseUrl ? { shadowDatabaseUrl } : {}) },
});
