/**
 * A DateTime column's value in the text form the Prisma SQLite adapter writes and reads back
 * (`2026-11-26T18:33:50.285+00:00`), for raw SQL that writes such columns.
 */
export function sqliteDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}
