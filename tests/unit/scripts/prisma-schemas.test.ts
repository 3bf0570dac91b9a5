// The PostgreSQL Prisma schema is generated from prisma/schema.prisma (scripts/prisma-schemas.mjs)
// and checked in: it must be exactly what the script makes of the current source.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERATED_SCHEMAS, SOURCE_SCHEMA, renderSchema, syncSchemas } from '../../../scripts/prisma-schemas.mjs';
import { PRISMA_LAYOUT } from '../../../server/db/database-url.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('generated Prisma schemas', () => {
  it('are up to date with prisma/schema.prisma (run `npm run db:schemas` after changing it)', () => {
    for (const target of GENERATED_SCHEMAS) {
      expect(read(target.schema), target.schema).toBe(renderSchema(read(SOURCE_SCHEMA), target));
    }
    expect(syncSchemas(root, { write: false })).toEqual([]);
  });

  it('cover the providers of the project layout, at the paths it names', () => {
    expect(SOURCE_SCHEMA).toBe(PRISMA_LAYOUT.sqlite.schema);
    expect(GENERATED_SCHEMAS.map((t) => [t.provider, t.schema])).toEqual([
      ['postgresql', PRISMA_LAYOUT.postgresql.schema],
    ]);
  });

  it('differ from the source only in the header, the provider and the client output', () => {
    const source = read(SOURCE_SCHEMA);
    const generated = read(PRISMA_LAYOUT.postgresql.schema);
    expect(generated).toMatch(/^\/\/ GENERATED from prisma\/schema\.prisma by `npm run db:schemas`.*do not edit\./);
    expect(generated).toMatch(/datasource db \{\s*provider = "postgresql"\s*\}/);
    expect(generated).toMatch(/output\s*= "\.\.\/\.\.\/server\/db\/generated-postgresql"/);
    const normalise = (text: string) =>
      text
        .split('\n')
        .filter((line) => !line.startsWith('// GENERATED') && !/^\/\/ (Change|in) /.test(line))
        .join('\n')
        .replace(/provider = "(sqlite|postgresql)"/, 'provider = "<provider>"')
        .replace(/output(\s*)= "[^"]*"/, 'output$1= "<output>"')
        .trim();
    expect(normalise(generated)).toBe(normalise(source));
  });

  it('refuses a source it cannot translate', () => {
    const target = GENERATED_SCHEMAS[0]!;
    expect(() => renderSchema('model A {\n  id Int @id\n}\n', target)).toThrow(/exactly one datasource/);
    expect(() => renderSchema('datasource db {\n  provider = "sqlite"\n}\n', target)).toThrow(/generator/);
  });
});
