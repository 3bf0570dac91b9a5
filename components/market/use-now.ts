'use client';
import { useSyncExternalStore } from 'react';

const STEP_MS = 1000;

function subscribe(onChange: () => void): () => void {
  const id = setInterval(onChange, STEP_MS);
  return () => clearInterval(id);
}

// Whole seconds, so repeated reads within one render agree.
const getSnapshot = () => Math.floor(Date.now() / STEP_MS) * STEP_MS;
const getServerSnapshot = () => 0;

/**
 * The wall clock in epoch milliseconds, updated every second (0 while rendering on the server,
 * where nothing time-dependent is shown).
 */
export function useNow(): number {
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}
