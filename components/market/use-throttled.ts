'use client';
import { useEffect, useRef, useState } from 'react';

/**
 * `value`, but changing at most once per `intervalMs` (the newest value always arrives). The
 * chart redraws every point of its SVG on a change; ticks come several times a second, and
 * the eye gains nothing from redrawing faster than this while the page stays responsive.
 */
export function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const lastShown = useRef(0);
  useEffect(() => {
    const wait = Math.max(0, lastShown.current + intervalMs - Date.now());
    const timer = setTimeout(() => {
      lastShown.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, intervalMs]);
  return shown;
}
