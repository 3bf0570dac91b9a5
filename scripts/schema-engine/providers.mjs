// Provider dispatch. Each provider module exports an object with:
//   createAdapterFactory({ url, shadowDatabaseUrl, baseDir })  -> migration-aware adapter factory,
//       optionally with resetDatabase() replacing the engine's `reset` for that provider, and
//       close() closing the engine's connection when the CLI stops the engine
//   databaseMissing(url, baseDir)   -> null, or { code, message } (P1003) for `cli can-connect-...`
//       (may return a promise)
//   createDatabase(url, baseDir)    -> creates an empty database for `cli create-database` (may
//       return a promise)
import { postgresqlProvider } from './postgresql-provider.mjs';
import { sqliteProvider } from './sqlite-provider.mjs';

/**
 * @typedef {object} Provider
 * @property {(options: { url: string, shadowDatabaseUrl?: string | undefined, baseDir: string }) => any} createAdapterFactory
 * @property {(url: string, baseDir: string) => ({ code: string, message: string } | null | Promise<{ code: string, message: string } | null>)} databaseMissing
 * @property {(url: string, baseDir: string) => void | Promise<void>} createDatabase
 */

/** @type {Record<string, Provider>} */
const providers = { sqlite: sqliteProvider, postgresql: postgresqlProvider };

/** URL scheme -> provider name, for the one-shot commands that only get a URL. */
const schemes = { file: 'sqlite', postgresql: 'postgresql', postgres: 'postgresql' };

/**
 * A user-facing error in the shape the engine reports them (`code` + `message`).
 * @param {string} code
 * @param {string} message
 */
export function userFacingError(code, message) {
  return Object.assign(new Error(message), { code });
}

/**
 * @param {string} name provider name from the schema's datasource block
 */
export function getProvider(name) {
  const provider = providers[name];
  if (!provider) {
    throw userFacingError(
      'P1012',
      `The offline schema engine (scripts/schema-engine) does not support the "${name}" provider yet` +
        ` (supported: ${Object.keys(providers).join(', ')}).`,
    );
  }
  return provider;
}

/**
 * @param {string} url a connection URL
 * @returns {string} provider name
 */
export function providerNameFromUrl(url) {
  const scheme = url.split(':')[0] ?? '';
  const name = /** @type {Record<string, string>} */ (schemes)[scheme];
  if (!name) {
    throw userFacingError('P1013', `The offline schema engine cannot handle URLs with the "${scheme}:" scheme.`);
  }
  return name;
}

/**
 * Provider named in the `datasource` block of the Prisma schema files, if any.
 * @param {string[]} schemaContents
 */
export function providerNameFromSchemas(schemaContents) {
  for (const content of schemaContents) {
    const code = content.replace(/\/\/.*$/gm, ''); // comments could mention another provider
    const block = /datasource\s+\w+\s*\{([^}]*)\}/.exec(code)?.[1];
    const name = block && /provider\s*=\s*"([^"]+)"/.exec(block)?.[1];
    if (name) return name;
  }
  return undefined;
}
