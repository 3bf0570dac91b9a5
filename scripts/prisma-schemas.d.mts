// Types of scripts/prisma-schemas.mjs (plain JavaScript, so postinstall can run it unbuilt).

export interface GeneratedSchema {
  provider: string;
  schema: string;
  clientSuffix: string;
}

export const SOURCE_SCHEMA: string;
export const GENERATED_SCHEMAS: GeneratedSchema[];
export function renderSchema(source: string, target: GeneratedSchema): string;
export function syncSchemas(rootDir: string, options: { write: boolean }): string[];
