/**
 * The `test` and `expect` every browser test imports (instead of '@playwright/test'), so that
 * checks shared by all tests (server errors, page errors, failed requests) live in one place.
 */
export { expect, test } from '@playwright/test';
export type { Page } from '@playwright/test';
