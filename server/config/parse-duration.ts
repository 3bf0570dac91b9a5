const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * Parses a duration like `10s`, `10m`, `24h` into milliseconds. Only an integer followed by one
 * of the allowed units is accepted (no fractions, no spaces), so `1.5m` or `10` are errors and
 * never silently mean something else. Returns `null` when the text does not match.
 */
export function parseDuration(text: string, units: readonly Unit[] = ['s', 'm', 'h']): number | null {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return null;
  const unit = match[2] as Unit;
  if (!units.includes(unit)) return null;
  return Number(match[1]) * UNIT_MS[unit];
}

/** Formats milliseconds as the largest whole unit, e.g. `600000` -> `10m`. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0 && ms >= UNIT_MS[unit]) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
