import { afterAll, afterEach, beforeEach } from 'vitest';
import { beginTest, endFile, endTest, markGuardInstalled } from './server-error-guard.ts';

/**
 * A setupFiles entry of the integration project: after each test, fail it if any app logged an
 * error it did not declare (see server-error-guard.ts). Registered first, these hooks run last
 * among the after-hooks (vitest's default `sequence.hooks: 'stack'`), so lines logged while a
 * test's own afterEach closes its apps still count. Uncaught exceptions and unhandled rejections
 * need nothing here: vitest reports them and fails the run.
 */
markGuardInstalled();
beforeEach(() => beginTest());
afterEach(() => endTest());
afterAll(() => endFile());
