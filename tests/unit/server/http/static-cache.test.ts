import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PUBLIC_FILE_CACHE_CONTROL, listPublicPaths } from '../../../../server/http/static-cache.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tickwatch-public-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('public file caching', () => {
  it('lists every file of public/ by its URL path, in subfolders too', () => {
    writeFileSync(path.join(dir, 'favicon.ico'), '');
    mkdirSync(path.join(dir, 'icons'));
    writeFileSync(path.join(dir, 'icons', 'a.png'), '');
    expect([...listPublicPaths(dir)].sort()).toEqual(['/favicon.ico', '/icons/a.png']);
  });

  it('lists nothing when the folder is missing', () => {
    expect(listPublicPaths(path.join(dir, 'absent')).size).toBe(0);
  });

  it('lets browsers keep the files a day, never for good (their names carry no content hash)', () => {
    expect(PUBLIC_FILE_CACHE_CONTROL).toMatch(/^public, max-age=86400\b/);
    expect(PUBLIC_FILE_CACHE_CONTROL).not.toContain('immutable');
  });

  it('lists the files the app links to', () => {
    const shipped = listPublicPaths(path.resolve(import.meta.dirname, '../../../../public'));
    for (const file of ['/favicon.ico', '/icon.svg', '/icon-192.png', '/icon-512.png', '/icon-maskable-512.png', '/apple-touch-icon.png', '/manifest.webmanifest', '/robots.txt']) {
      expect(shipped.has(file), file).toBe(true);
    }
  });
});
