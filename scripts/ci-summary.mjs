// Adds up the test counts that vitest and Playwright printed and prints one closing line,
// "tests: N passed, M failed", so a CI log ends with the whole run's result. A suite that printed
// no result at all (it could not start) is named, so its missing tests never read as none failed.
import fs from 'node:fs';

const ANSI_COLOR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const text = fs.readFileSync(process.argv[2] ?? 0, 'utf8').replace(ANSI_COLOR, '');
let passed = 0;
let failed = 0;
let vitestRuns = 0;
let playwrightRuns = 0;
for (const line of text.split('\n')) {
  // vitest: "      Tests  37 passed (37)" or "Tests  1 failed | 36 passed (37)"
  const vitest = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (vitest) {
    vitestRuns += 1;
    passed += Number(/(\d+) passed/.exec(vitest[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(vitest[1])?.[1] ?? 0);
    continue;
  }
  // Playwright: "  5 passed (49.8s)" / "  1 failed" / "  1 flaky"
  const pw = /^\s+(\d+) (passed|failed|flaky)( \(.*\))?\s*$/.exec(line);
  if (pw) {
    if (pw[2] !== 'flaky') playwrightRuns += 1;
    if (pw[2] === 'failed') failed += Number(pw[1]);
    else passed += Number(pw[1]);
  }
}
const missing = [vitestRuns < 1 && 'unit', vitestRuns < 2 && 'integration', playwrightRuns < 1 && 'e2e'].filter(Boolean);
console.log(`tests: ${passed} passed, ${failed} failed${missing.length > 0 ? `; no result from ${missing.join(', ')}` : ''}`);
