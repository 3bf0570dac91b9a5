import fs from 'node:fs';
import { type Browser, type BrowserContext, test as base, expect } from '@playwright/test';
import { type ExpectedError, HOW_TO_DECLARE, type LogEntry, describeEntry, entriesFromOutput, judge, patternOf, staleDeclarations } from '../support/server-log.ts';

export { expect };
export type { Page } from '@playwright/test';

/**
 * The `test` and `expect` every browser test imports (instead of '@playwright/test'). An automatic
 * fixture fails a test when, during it:
 *
 * - an app server logged at error level or above, or crashed (each app's output, which
 *   playwright.config.ts copies to `<data dir>/server.log`, is read from where the previous test
 *   stopped);
 * - a page, in any browser context of the test, logged a console error or a Content Security
 *   Policy violation, threw (pageerror), had a request fail, or got a 5xx from our own origin.
 *
 * A test that provokes one on purpose declares it, with a comment saying why: in the test,
 * `expectErrors.server(/…/)` (matched against `msg — ErrorType: error message`, see
 * tests/support/server-log.ts) or `expectErrors.browser(/…/)` (matched against the problem as
 * reported, e.g. "HTTP 503 GET http://…/api/…"); for every test of a describe or file,
 * `test.use({ expectedServerErrors: [/…/] })` or `test.use({ expectedBrowserErrors: [/…/] })`.
 * A declaration must match in every test it applies to; `{ pattern, optional: true }` is for
 * timing-dependent ones. Assumes one worker (the config's `workers: 1`): the servers are shared,
 * so what they log is attributed to the test running.
 */
export interface ProblemOptions {
  expectedServerErrors: ExpectedError[];
  expectedBrowserErrors: ExpectedError[];
}

/** Declarations made inside one test. */
export interface ExpectErrors {
  server(...expected: ExpectedError[]): void;
  browser(...expected: ExpectedError[]): void;
}

/** Lines logged a moment after the page saw the answer (tee, background work) still belong to the test. */
const SETTLE_MS = 200;

function serverLogFiles(): string[] {
  const list = process.env.E2E_SERVER_LOGS;
  if (!list) throw new Error('E2E_SERVER_LOGS is not set: run the browser tests through playwright.config.ts, which sets it');
  return JSON.parse(list) as string[];
}

/**
 * The new complete lines of the server's output since the last call, across worker restarts (the
 * byte offset checked so far is kept next to the log). Lines written between two tests go to the
 * next one.
 */
function readNewServerOutput(file: string): string {
  if (!fs.existsSync(file)) throw new Error(`no server log at ${file}: the webServer of playwright.config.ts writes it`);
  const cursorFile = `${file}.checked`;
  const size = fs.statSync(file).size;
  const checked = fs.existsSync(cursorFile) ? Number(fs.readFileSync(cursorFile, 'utf8')) : 0;
  // A log shorter than what was checked is a new one (a server started afresh on the same dir).
  const from = checked <= size ? checked : 0;
  if (size <= from) return '';
  const buffer = Buffer.alloc(size - from);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    fs.closeSync(fd);
  }
  // A line still being written is left for the next read.
  const end = buffer.lastIndexOf('\n') + 1;
  fs.writeFileSync(cursorFile, String(from + end));
  return buffer.subarray(0, end).toString('utf8');
}

/** Records what goes wrong in a browser context's pages, as one line each. */
function watchContext(context: BrowserContext, ownOrigin: string, problems: string[]): void {
  const isOwn = (url: string) => URL.canParse(url) && new URL(url).origin === ownOrigin;
  context.on('console', (message) => {
    const text = message.text();
    const url = message.location().url;
    if (/Content Security Policy|Refused to/i.test(text)) return void problems.push(`CSP violation: ${text}`);
    if (message.type() !== 'error') return;
    // Chromium logs every failed load as a console error too; 'requestfailed' below reports it once.
    if (/^Failed to load resource: net::/.test(text)) return;
    // Chromium also logs every 4xx/5xx as a console error. Our own 5xx are reported below as
    // responses; a 4xx of our API is an answer the page handles (wrong password, expired session).
    const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text)?.[1];
    if (status && isOwn(url) && (Number(status) >= 500 || new URL(url).pathname.startsWith('/api/'))) return;
    problems.push(`console.error: ${text}${url ? ` (${url})` : ''}`);
  });
  context.on('weberror', (webError) => problems.push(`pageerror: ${webError.error().message}`));
  context.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'unknown';
    // Cancelled by the page itself or by a navigation away from it: not a failure of the request.
    if (reason === 'net::ERR_ABORTED') return;
    problems.push(`requestfailed: ${request.method()} ${request.url()}: ${reason}`);
  });
  context.on('response', (response) => {
    if (response.status() >= 500 && isOwn(response.url())) problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
  });
}

/** Watches the test's own context and every context the test opens with `browser.newContext()`. */
function watchAllContexts(browser: Browser, context: BrowserContext, ownOrigin: string, problems: string[]): () => void {
  watchContext(context, ownOrigin, problems);
  const original = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const opened = await original(...args);
    watchContext(opened, ownOrigin, problems);
    return opened;
  };
  return () => {
    browser.newContext = original;
  };
}

/** Each server log's new entries, by log file. */
type ServerEntries = Array<{ file: string; entries: LogEntry[] }>;

function readAllServers(files: readonly string[]): ServerEntries {
  return files.map((file) => ({ file, entries: entriesFromOutput(readNewServerOutput(file)) }));
}

function serverFailures(logs: ServerEntries, expected: readonly ExpectedError[]): string[] {
  const matched = new Set<ExpectedError>();
  const unexpected: string[] = [];
  for (const { file, entries } of logs) {
    const verdict = judge(entries, expected);
    verdict.matched.forEach((e) => matched.add(e));
    unexpected.push(...verdict.unexpected.map((e) => `  ${describeEntry(e)}\n    logged by the app of ${file}`));
  }
  const failures: string[] = [];
  if (unexpected.length > 0) {
    failures.push(
      `The server logged errors during this test (or since the previous one) that it did not declare:\n${unexpected.join('\n')}\n` +
        `${HOW_TO_DECLARE} Browser tests: expectErrors.server(/…/) in the test, or test.use({ expectedServerErrors: [/…/] }).`,
    );
  }
  const stale = staleDeclarations(expected, matched);
  if (stale.length > 0) failures.push(`Declared server errors never logged in this test: ${stale.map((e) => String(patternOf(e))).join(', ')}`);
  return failures;
}

function browserFailures(problems: readonly string[], expected: readonly ExpectedError[]): string[] {
  const matched = new Set<ExpectedError>();
  const unexpected = problems.filter((problem) => {
    const covering = expected.find((e) => patternOf(e).test(problem));
    if (covering) matched.add(covering);
    return !covering;
  });
  const failures: string[] = [];
  if (unexpected.length > 0) {
    failures.push(
      `The pages had problems this test did not declare:\n${unexpected.map((p) => `  ${p}`).join('\n')}\n` +
        `${HOW_TO_DECLARE} Browser tests: expectErrors.browser(/…/) in the test, or test.use({ expectedBrowserErrors: [/…/] }).`,
    );
  }
  const stale = staleDeclarations(expected, matched);
  if (stale.length > 0) failures.push(`Declared browser problems never seen in this test: ${stale.map((e) => String(patternOf(e))).join(', ')}`);
  return failures;
}

/** Everything declared for one test: its use() options and what it added through expectErrors. */
interface Declared {
  server: ExpectedError[];
  browser: ExpectedError[];
}

export const test = base.extend<ProblemOptions & { expectErrors: ExpectErrors; declared: Declared; problemGuard: void }>({
  expectedServerErrors: [[], { option: true }],
  expectedBrowserErrors: [[], { option: true }],
  declared: async ({ expectedServerErrors, expectedBrowserErrors }, use) => {
    await use({ server: [...expectedServerErrors], browser: [...expectedBrowserErrors] });
  },
  expectErrors: async ({ declared }, use) => {
    await use({ server: (...expected) => void declared.server.push(...expected), browser: (...expected) => void declared.browser.push(...expected) });
  },
  problemGuard: [
    async ({ browser, context, baseURL, declared }, use) => {
      const files = serverLogFiles();
      // What the servers wrote before this test began and no test has judged (start-up, the end of the previous test).
      const before = readAllServers(files);
      const problems: string[] = [];
      const unwatch = watchAllContexts(browser, context, new URL(baseURL ?? 'http://127.0.0.1').origin, problems);
      try {
        await use();
      } finally {
        unwatch();
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const during = readAllServers(files);
      const logs = files.map((file, i) => ({ file, entries: [...(before[i]?.entries ?? []), ...(during[i]?.entries ?? [])] }));
      const failures = [...serverFailures(logs, declared.server), ...browserFailures(problems, declared.browser)];
      if (failures.length > 0) throw new Error(failures.join('\n\n'));
    },
    { auto: true },
  ],
});
