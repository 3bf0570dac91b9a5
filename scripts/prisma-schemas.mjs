// Generates the per-provider Prisma schemas from the one schema source, prisma/schema.prisma
// (SQLite). A Prisma client is generated for one provider only, and each provider keeps its own
// migrations, so PostgreSQL gets a copy of the same models with its own datasource provider and
// client output: prisma/postgresql/schema.prisma. That file is checked in (the Prisma CLI and
// tests read it) and must never be edited by hand; a unit test fails when it is stale.
//
//   node scripts/prisma-schemas.mjs           write the generated schemas (npm run db:schemas)
//   node scripts/prisma-schemas.mjs --check   exit 1 if a checked-in schema is stale
//
// Plain Node, no dependencies: `postinstall` runs it before anything is built.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The schema source, relative to the project root. */
export const SOURCE_SCHEMA = 'prisma/schema.prisma';

/** Generated schemas: where they go, for which provider, and the suffix of their client folder. */
export const GENERATED_SCHEMAS = [
  { provider: 'postgresql', schema: 'prisma/postgresql/schema.prisma', clientSuffix: '-postgresql' },
];

/**
 * The generated schema for `target`, from the text of the source schema.
 * @param {string} source text of prisma/schema.prisma
 * @param {{ provider: string, schema: string, clientSuffix: string }} target
 * @returns {string}
 */
export function renderSchema(source, target) {
  const sourceDir = path.posix.dirname(SOURCE_SCHEMA);
  const targetDir = path.posix.dirname(target.schema);

  let datasources = 0;
  let outputs = 0;
  const body = source
    .replace(/^(datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*)"[^"]*"/gm, (_whole, head) => {
      datasources++;
      return `${head}"${target.provider}"`;
    })
    .replace(/^(generator\s+\w+\s*\{[^}]*?\boutput\s*=\s*)"([^"]*)"/gm, (_whole, head, output) => {
      outputs++;
      // The client goes beside the source's, with a suffix; the path stays relative to the schema.
      const client = path.posix.join(sourceDir, output) + target.clientSuffix;
      return `${head}"${path.posix.relative(targetDir, client)}"`;
    });
  if (datasources !== 1) {
    throw new Error(`${SOURCE_SCHEMA} must have exactly one datasource block with a provider (found ${datasources})`);
  }
  if (outputs < 1) {
    throw new Error(`${SOURCE_SCHEMA} must have a generator block with an output (found none)`);
  }

  const header = [
    `// GENERATED from ${SOURCE_SCHEMA} by \`npm run db:schemas\` (scripts/prisma-schemas.mjs): do not edit.`,
    `// Change ${SOURCE_SCHEMA}, then run \`npm run db:schemas\`. Provider: ${target.provider}; migrations`,
    `// in ${targetDir}/migrations.`,
    '',
  ].join('\n');
  return `${header}\n${body}`;
}

/**
 * Compares (or writes) every generated schema under `rootDir`.
 * @param {string} rootDir project root
 * @param {{ write: boolean }} options
 * @returns {string[]} the generated schemas that were stale (written when `write`)
 */
export function syncSchemas(rootDir, { write }) {
  const source = fs.readFileSync(path.join(rootDir, SOURCE_SCHEMA), 'utf8');
  const stale = [];
  for (const target of GENERATED_SCHEMAS) {
    const file = path.join(rootDir, target.schema);
    const wanted = renderSchema(source, target);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current === wanted) continue;
    stale.push(target.schema);
    if (write) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, wanted);
    }
  }
  return stale;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const check = process.argv.includes('--check');
  try {
    const stale = syncSchemas(rootDir, { write: !check });
    if (check && stale.length > 0) {
      console.error(`Stale generated Prisma schema(s): ${stale.join(', ')}. Run \`npm run db:schemas\`.`);
      process.exitCode = 1;
    } else if (!check && stale.length > 0) {
      console.log(`Generated ${stale.join(', ')} from ${SOURCE_SCHEMA}`);
    }
  } catch (error) {
    console.error(`prisma-schemas: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
