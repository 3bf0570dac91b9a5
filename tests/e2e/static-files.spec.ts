/**
 * The files of public/ as the built app serves them: the right content type, the public-file
 * caching policy (a day, not immutable), the security headers every response carries, real
 * images of the sizes the manifest and the page's links say, and a robots.txt that keeps
 * crawlers out of the signed-in pages.
 */
import { PUBLIC_FILE_CACHE_CONTROL } from '../../server/http/static-cache.ts';
import { expect, test } from './fixtures';

const FILES = [
  { path: '/favicon.ico', type: 'image/x-icon' },
  { path: '/icon.svg', type: 'image/svg+xml' },
  { path: '/icon-192.png', type: 'image/png', size: 192 },
  { path: '/icon-512.png', type: 'image/png', size: 512 },
  { path: '/icon-maskable-512.png', type: 'image/png', size: 512 },
  { path: '/apple-touch-icon.png', type: 'image/png', size: 180 },
  { path: '/manifest.webmanifest', type: 'application/manifest+json' },
  { path: '/robots.txt', type: 'text/plain; charset=utf-8' },
];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(body: Buffer): { width: number; height: number } {
  expect(body.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: body.readUInt32BE(16), height: body.readUInt32BE(20) };
}

for (const file of FILES) {
  test(`${file.path} is served as ${file.type}, cached for a day, with the security headers`, async ({ request }) => {
    const response = await request.get(file.path);
    expect(response.status()).toBe(200);
    const headers = response.headers();
    expect(headers['content-type']?.toLowerCase()).toBe(file.type);
    expect(headers['cache-control']).toBe(PUBLIC_FILE_CACHE_CONTROL);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers.etag).toBeTruthy();
    if (file.size) expect(pngSize(await response.body())).toEqual({ width: file.size, height: file.size });

    // Revalidation after the day is a cheap 304.
    const again = await request.get(file.path, { headers: { 'if-none-match': headers.etag ?? '' } });
    expect(again.status()).toBe(304);
  });
}

test('the favicon holds 16, 32 and 48 px images', async ({ request }) => {
  const body = await (await request.get('/favicon.ico')).body();
  expect(body.readUInt16LE(2)).toBe(1);
  const sizes = Array.from({ length: body.readUInt16LE(4) }, (_, i) => body.readUInt8(6 + 16 * i));
  expect(sizes).toEqual([16, 32, 48]);
});

test('the manifest names the app, starts at the dashboard, and its icons exist at the sizes it gives', async ({ request }) => {
  const manifest = (await (await request.get('/manifest.webmanifest')).json()) as {
    name: string;
    short_name: string;
    start_url: string;
    display: string;
    theme_color: string;
    background_color: string;
    icons: { src: string; sizes: string; type: string; purpose: string }[];
  };
  expect(manifest).toMatchObject({ name: 'Tickwatch', short_name: 'Tickwatch', start_url: '/dashboard', display: 'standalone' });
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/);
  const purposes = new Set(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose}`));
  for (const wanted of ['192x192 any', '512x512 any', '512x512 maskable']) expect(purposes).toContain(wanted);
  for (const icon of manifest.icons.filter((i) => i.type === 'image/png')) {
    const size = Number(icon.sizes.split('x')[0]);
    expect(pngSize(await (await request.get(icon.src)).body())).toEqual({ width: size, height: size });
  }
});

test('robots.txt keeps crawlers out of the signed-in pages and the API', async ({ request }) => {
  const text = await (await request.get('/robots.txt')).text();
  expect(text).toMatch(/^User-agent: \*$/m);
  for (const path of ['/dashboard', '/inbox', '/account', '/alerts', '/api/']) expect(text).toMatch(new RegExp(`^Disallow: ${path}$`, 'm'));
  expect(text).not.toMatch(/^Disallow: \/$/m);
});

test('pages link the icons and the manifest, and stay uncached themselves', async ({ page, request }) => {
  await page.goto('/sign-in');
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
  await expect(page.locator('link[rel="icon"][href="/favicon.ico"]')).toHaveCount(1);
  await expect(page.locator('link[rel="icon"][type="image/svg+xml"]')).toHaveAttribute('href', '/icon.svg');
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', '/apple-touch-icon.png');
  expect((await request.get('/sign-in')).headers()['cache-control']).toContain('no-store');
});
