'use client';
import { useSyncExternalStore } from 'react';
import { Toaster } from 'sonner';

/** Sonner's own phone layout (full width) starts at this width. */
const PHONE = '(max-width: 600px)';

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(PHONE);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/**
 * The page's toasts. They follow the colour scheme (theme "system", like the page's `dark:`
 * styles; colours in app/globals.css), sit bottom right, clear of the header's controls and of
 * the dashboard's alert controls (bottom, full width, on phones), and stay expanded, so each of
 * several is readable on its own: three at a time, two on a phone, where more would cover half
 * the screen (the inbox has them all).
 */
export function AppToaster() {
  const phone = useSyncExternalStore(subscribe, () => window.matchMedia(PHONE).matches, () => false);
  return <Toaster position="bottom-right" theme="system" richColors closeButton expand visibleToasts={phone ? 2 : 3} />;
}
