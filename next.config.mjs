/** @type {import('next').NextConfig} */
const nextConfig = {
  // The custom server sets every security header itself (server/http/security-headers.ts).
  poweredByHeader: false,
  reactStrictMode: true,
  // The dev server may be opened as localhost or 127.0.0.1 (the app itself accepts both).
  allowedDevOrigins: ['localhost', '127.0.0.1'],
  // Pages never import server-only modules; this keeps the native driver out of any bundle
  // should one ever be imported by mistake.
  serverExternalPackages: ['better-sqlite3', '@prisma/adapter-better-sqlite3'],
};

export default nextConfig;
