import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Toaster } from 'sonner';
import './globals.css';

// Every page is rendered per request: each response carries its own CSP nonce.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Tickwatch',
  description: 'Real-time price alerts on the Coinbase trade feed.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        {children}
        <Toaster position="top-right" richColors closeButton />
      </body>
    </html>
  );
}
