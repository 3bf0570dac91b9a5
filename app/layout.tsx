import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { AppToaster } from '@/components/ui/app-toaster';
import './globals.css';

// Every page is rendered per request: each response carries its own CSP nonce.
export const dynamic = 'force-dynamic';

// The icon set and the manifest are static files in public/ (made by scripts/make-icons.ts).
export const metadata: Metadata = {
  title: 'Tickwatch',
  description: 'Real-time price alerts on the Coinbase trade feed.',
  applicationName: 'Tickwatch',
  manifest: '/manifest.webmanifest',
  icons: {
    icon: [
      { url: '/favicon.ico', sizes: '16x16 32x32 48x48' },
      { url: '/icon.svg', type: 'image/svg+xml' },
    ],
    apple: [{ url: '/apple-touch-icon.png', sizes: '180x180' }],
  },
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#0f172a' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        {children}
        <AppToaster />
      </body>
    </html>
  );
}
