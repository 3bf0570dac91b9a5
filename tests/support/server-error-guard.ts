import { type ExpectedError, HOW_TO_DECLARE, type LogEntry, describeEntry, judge, patternOf, staleDeclarations } from './server-log.ts';

/**
 * Integration tests fail on any server error they did not declare. Every app a test starts
 * (startTestApp, spawnServer) reports its log lines at warn level and above here; after each test
 * (server-error-setup.ts, a setupFiles entry of the integration project) the error-level lines
 * logged since the previous check must each match a declaration:
 *
 * - `expectServerErrors(/…/)` inside a test: for the rest of that test, any app;
 * - `startTestApp(env, { expectErrors: [/…/] })` or `spawnServer(env, { expectErrors })`: for
 *   that app's whole life (for a suite that shares one faulty app across tests).
 *
 * A declaration that never matched fails too, so none outlives the fault it was written for;
 * `{ pattern, optional: true }` is for faults whose error line depends on timing. Each declaration
 * carries a comment saying why the error is legitimate there.
 */

export interface ServerLogWatch {
  /** Every line the app logged at warn level or above, oldest first. */
  readonly entries: readonly LogEntry[];
  record(entry: LogEntry): void;
}

interface Source {
  label: string;
  expected: readonly ExpectedError[];
  entries: LogEntry[];
  /** How many of `entries` earlier checks have judged. */
  checked: number;
  matched: Set<ExpectedError>;
  /** Waits (briefly) for lines still on their way, e.g. a child's stdout after it exited. */
  settle?: () => Promise<void>;
}

let installed = false;
let inTest = false;
let testExpected: ExpectedError[] = [];
let sources: Source[] = [];

/** Called by server-error-setup.ts; without it, starting an app is refused rather than unchecked. */
export function markGuardInstalled(): void {
  installed = true;
}

/**
 * Starts watching one app's log. `label` names the app in failure messages; `expected` are the
 * errors it may log in its whole life (see the module comment).
 */
export function watchServerLog(label: string, expected: readonly ExpectedError[] = [], settle?: () => Promise<void>): ServerLogWatch {
  if (!installed) {
    throw new Error('server errors would go unchecked: add tests/support/server-error-setup.ts to this vitest project\'s setupFiles');
  }
  const source: Source = { label, expected, entries: [], checked: 0, matched: new Set(), settle };
  sources.push(source);
  return { entries: source.entries, record: (entry) => void source.entries.push(entry) };
}

/**
 * Declares server errors the current test provokes on purpose (any app, until the test ends).
 * Call it in the test (or a beforeEach), next to the fault, with a comment saying why.
 */
export function expectServerErrors(...expected: ExpectedError[]): void {
  if (!inTest) throw new Error('expectServerErrors() belongs inside a test; for an app shared by several tests use startTestApp(env, { expectErrors })');
  testExpected.push(...expected);
}

export function beginTest(): void {
  inTest = true;
  testExpected = [];
}

function judgeNewLines(declaredForTest: readonly ExpectedError[]): { problems: string[]; matchedForTest: Set<ExpectedError> } {
  const problems: string[] = [];
  const matchedForTest = new Set<ExpectedError>();
  for (const source of sources) {
    const fresh = source.entries.slice(source.checked);
    source.checked = source.entries.length;
    const byTest = judge(fresh, declaredForTest);
    byTest.matched.forEach((e) => matchedForTest.add(e));
    const byApp = judge(byTest.unexpected, source.expected);
    byApp.matched.forEach((e) => source.matched.add(e));
    // The same line logged again and again (a retry loop) is shown once, with its count.
    const counts = new Map<string, number>();
    for (const entry of byApp.unexpected) counts.set(describeEntry(entry), (counts.get(describeEntry(entry)) ?? 0) + 1);
    for (const [line, count] of counts) problems.push(`  ${line}${count > 1 ? ` (${count} times)` : ''}\n    logged by ${source.label}`);
  }
  return { problems, matchedForTest };
}

function failure(problems: string[], stale: string[]): Error {
  const parts: string[] = [];
  if (problems.length > 0) {
    parts.push(`The server logged errors the test did not declare:\n${problems.join('\n')}\n${HOW_TO_DECLARE} ` +
      'In a test: expectServerErrors(/…/); for an app\'s whole life: startTestApp(env, { expectErrors: [/…/] }) or spawnServer(env, { expectErrors }).');
  }
  if (stale.length > 0) parts.push(`Declared server errors that were never logged:\n${stale.join('\n')}`);
  return new Error(parts.join('\n\n'));
}

async function settleAll(): Promise<void> {
  await Promise.all(sources.map((source) => source.settle?.() ?? Promise.resolve()));
}

/** After each test: every new error-level line is declared, and every test declaration was used. */
export async function endTest(): Promise<void> {
  inTest = false;
  const declared = testExpected;
  testExpected = [];
  await settleAll();
  const { problems, matchedForTest } = judgeNewLines(declared);
  const stale = staleDeclarations(declared, matchedForTest).map((e) => `  expectServerErrors(${String(patternOf(e))}) in this test`);
  if (problems.length > 0 || stale.length > 0) throw failure(problems, stale);
}

/** After the file: lines logged after the last test (apps closed in afterAll), and app declarations never used. */
export async function endFile(): Promise<void> {
  await settleAll();
  const { problems } = judgeNewLines([]);
  const stale = sources.flatMap((source) =>
    staleDeclarations(source.expected, source.matched).map((e) => `  expectErrors: [${String(patternOf(e))}] of ${source.label}`),
  );
  sources = [];
  if (problems.length > 0 || stale.length > 0) throw failure(problems, stale);
}
