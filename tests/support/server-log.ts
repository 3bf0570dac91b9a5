/**
 * Server log lines as the tests read them: pino JSON lines (`{"level":50,"msg":…,"err":{…}}`),
 * from an app in the test process, a spawned server or the browser tests' server. A run fails on
 * any line at error level or above (pino level >= 50) that the test did not declare, and on a
 * process that crashed (an uncaught exception or unhandled rejection). Plain, with no test-runner
 * imports, so the vitest guard (server-error-guard.ts) and the Playwright fixture
 * (tests/e2e/fixtures.ts) share it.
 */

export const WARN_LEVEL = 40;
export const ERROR_LEVEL = 50;

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export interface LogEntry {
  level: number;
  msg?: string;
  module?: string;
  /** pino's serialized error (`{ err: error }`). */
  err?: { type?: string; message?: string; stack?: string };
  [field: string]: unknown;
}

/**
 * A server error a test provokes on purpose: a pattern tested against the line as failure
 * messages show it, `msg — ErrorType: error message` (see `summaryOf`), so it may name the
 * message, the error, or both (/request failed — .*database is locked/). A bare RegExp must match
 * at least once, or the declaration is reported as stale; `{ pattern, optional: true }` is for
 * faults whose error line depends on timing.
 */
export type ExpectedError = RegExp | { pattern: RegExp; optional: true };

export function patternOf(expected: ExpectedError): RegExp {
  return expected instanceof RegExp ? expected : expected.pattern;
}

function isOptional(expected: ExpectedError): boolean {
  return !(expected instanceof RegExp) && expected.optional;
}

/** Parses one pino line; anything that is not a JSON object with a numeric level is `null`. */
export function parseLogLine(text: string): LogEntry | null {
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && typeof (value as LogEntry).level === 'number') return value as LogEntry;
  } catch {
    // not a log line
  }
  return null;
}

/** The level of a pino line without parsing it, to skip chatty lines cheaply; -1 if none. */
export function levelOfLine(text: string): number {
  const match = /"level":(\d+)/.exec(text);
  return match ? Number(match[1]) : -1;
}

export function isErrorEntry(entry: LogEntry): boolean {
  return entry.level >= ERROR_LEVEL;
}

/** A multi-line error message (Prisma's are) on one line, cut to a readable length. */
function oneLine(text: string): string {
  const joined = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' / ');
  return joined.length > 400 ? `${joined.slice(0, 400)}…` : joined;
}

/** `msg — ErrorType: error message`, what declarations are matched against. */
export function summaryOf(entry: LogEntry): string {
  const err = entry.err ? ` — ${entry.err.type ?? 'Error'}: ${oneLine(entry.err.message ?? '')}` : '';
  return `${entry.msg ?? ''}${err}`;
}

export function entryMatches(expected: ExpectedError, entry: LogEntry): boolean {
  const pattern = patternOf(expected);
  // A fresh RegExp each time: a /g or /y pattern would otherwise carry lastIndex between lines.
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(summaryOf(entry));
}

/** Fields every line has, left out of failure messages. */
const COMMON_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'app', 'module', 'msg', 'err']);

/**
 * One line for a failure message: level, module, msg, the other fields, the error's type and
 * message, and the first frames of where it was thrown.
 */
export function describeEntry(entry: LogEntry): string {
  const level = LEVEL_NAMES[entry.level] ?? `level ${entry.level}`;
  const where = entry.module ? ` [${entry.module}]` : '';
  const extra = Object.fromEntries(Object.entries(entry).filter(([key]) => !COMMON_FIELDS.has(key)));
  const fields = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra).slice(0, 300)}` : '';
  // Frames written as "file, line 12:34" without their "at ": test runners would otherwise take
  // them for the failure's own stack.
  const frames = (entry.err?.stack ?? '')
    .split('\n')
    .filter((line) => line.trim().startsWith('at '))
    .slice(0, 3)
    .map((line) => `\n      ↳ ${line.trim().slice(3).replace(/:(\d+):(\d+)(\)?)$/, ', line $1:$2$3')}`)
    .join('');
  return `${level}${where} ${summaryOf(entry)}${fields}${frames}`;
}

export interface Verdict {
  /** Error-level lines no declaration covers. */
  unexpected: LogEntry[];
  /** The declarations that covered at least one line. */
  matched: Set<ExpectedError>;
}

/** Sorts error-level `entries` into those some declaration in `expected` covers and the rest. */
export function judge(entries: readonly LogEntry[], expected: readonly ExpectedError[]): Verdict {
  const unexpected: LogEntry[] = [];
  const matched = new Set<ExpectedError>();
  for (const entry of entries.filter(isErrorEntry)) {
    const covering = expected.find((e) => entryMatches(e, entry));
    if (covering) matched.add(covering);
    else unexpected.push(entry);
  }
  return { unexpected, matched };
}

/** The required (non-optional) declarations that `matched` does not contain. */
export function staleDeclarations(expected: readonly ExpectedError[], matched: ReadonlySet<ExpectedError>): ExpectedError[] {
  return expected.filter((e) => !isOptional(e) && !matched.has(e));
}

/** How a test declares a server error it provokes, for failure messages. */
export const HOW_TO_DECLARE =
  'If the test provokes it on purpose, declare it with a comment saying why (see docs/reliability.md).';

/**
 * Node's report of a process killed by an uncaught exception or unhandled rejection, found in
 * its stderr (it ends with a `Node.js v20.x.y` line), as a fatal log entry; none if it did not crash.
 */
export function crashEntries(output: string): LogEntry[] {
  const lines = output.split('\n');
  const entries: LogEntry[] = [];
  let start = 0;
  lines.forEach((line, index) => {
    if (!/^Node\.js v\d+\.\d+\.\d+\s*$/.test(line)) return;
    const block = lines.slice(start, index);
    start = index + 1;
    // The error's first line follows the source excerpt and its `^` marker.
    const caret = block.findLastIndex((l) => /^\s*\^+\s*$/.test(l));
    const message = block.slice(caret + 1).find((l) => l.trim() !== '') ?? 'unknown error';
    entries.push({
      level: 60,
      msg: 'the process crashed: uncaught exception or unhandled rejection',
      err: { type: 'Crash', message: message.trim(), stack: block.slice(caret + 1).join('\n') },
    });
  });
  return entries;
}

/** Every log entry in a piece of combined process output: its pino lines and any crash report. */
export function entriesFromOutput(output: string): LogEntry[] {
  const entries = output
    .split('\n')
    .map((line) => parseLogLine(line.trim()))
    .filter((entry): entry is LogEntry => entry !== null);
  return [...entries, ...crashEntries(output)];
}
