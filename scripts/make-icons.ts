/**
 * Makes the app's icon set from its one source, public/icon.svg, and writes it to public/:
 *
 *   favicon.ico           16, 32 and 48 px (PNG images inside the ICO)
 *   icon-192.png          192 px, the manifest's "any" icons, rounded corners as in the SVG
 *   icon-512.png          512 px
 *   icon-maskable-512.png 512 px, full bleed with the mark inside the central safe zone
 *                         (a circle of 40 % radius), for launchers that crop to their own shape
 *   apple-touch-icon.png  180 px, full bleed (iOS rounds the corners itself)
 *
 * Rendered by Chromium, so the PNGs are exactly what a browser draws of the SVG. The outputs are
 * committed; run this again after changing icon.svg:  node_modules/.bin/tsx scripts/make-icons.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');
const svg = readFileSync(path.join(publicDir, 'icon.svg'), 'utf8');

/** The same mark without the rounded corners and scaled into the maskable safe zone. */
function fullBleed(source: string): string {
  const background = /<rect[^>]*fill="([^"]+)"/.exec(source)?.[1] ?? '#0284c7';
  const mark = source.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '').replace(/<rect[^>]*\/>/, '');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="${background}"/>` +
    `<g transform="translate(16 16) scale(0.8) translate(-16 -14)">${mark}</g></svg>`
  );
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 600, height: 600 }, deviceScaleFactor: 1 });

async function render(source: string, size: number): Promise<Buffer> {
  const src = `data:image/svg+xml;base64,${Buffer.from(source).toString('base64')}`;
  await page.setContent(`<body style="margin:0;background:transparent"><img src="${src}" width="${size}" height="${size}" style="display:block"></body>`);
  await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
  return page.locator('img').screenshot({ omitBackground: true, type: 'png' });
}

/** An ICO file holding PNG images (supported by every browser in use). */
function ico(images: readonly { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.png)]);
}

try {
  const write = (name: string, data: Buffer) => {
    writeFileSync(path.join(publicDir, name), data);
    process.stdout.write(`public/${name}: ${data.length} bytes\n`);
  };
  const small = [];
  for (const size of [16, 32, 48]) small.push({ size, png: await render(svg, size) });
  write('favicon.ico', ico(small));
  write('icon-192.png', await render(svg, 192));
  write('icon-512.png', await render(svg, 512));
  write('icon-maskable-512.png', await render(fullBleed(svg), 512));
  write('apple-touch-icon.png', await render(fullBleed(svg), 180));
} finally {
  await browser.close();
}
