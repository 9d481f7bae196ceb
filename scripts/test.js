#!/usr/bin/env node
// `npm test`: every test project (unit, integration on the embedded PostgreSQL, system and
// browser), then — when SOFY_TEST_DATABASE_URL names an external PostgreSQL — the integration
// tests again against it. Ends with one line "tests: N passed, N failed, N skipped".
// Extra arguments go to vitest (e.g. `npm test -- --project unit`), and then only that run happens.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reports = join(root, '.tmp', 'test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const extra = process.argv.slice(2);
const chromium = process.env.SOFY_CHROMIUM ?? '/usr/bin/chromium';
const runs = [];
const exclude = [];
if (!existsSync(chromium)) {
  if (process.env.CI) {
    console.error(`Browser tests need Chromium at ${chromium} (apt-get install chromium); CI installs it in .ci/run.`);
    process.exit(1);
  }
  console.warn(`\n!! Chromium not found at ${chromium}: the browser tests (test/e2e) are not run.`);
  console.warn('!! Install it with `sudo apt-get install chromium` (or set SOFY_CHROMIUM) to run them.\n');
  exclude.push('--exclude', 'test/e2e/**');
}

runs.push({ name: 'all projects (embedded PostgreSQL)', args: [...exclude, ...extra], env: { SOFY_TEST_DATABASE_URL: '' } });
if (process.env.SOFY_TEST_DATABASE_URL && extra.length === 0) {
  runs.push({ name: 'integration on the external PostgreSQL (SOFY_TEST_DATABASE_URL)', args: ['--project', 'integration'], env: {} });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let failedRuns = 0;
runs.forEach((run, index) => {
  console.log(`\n=== ${run.name} ===`);
  const output = join(reports, `run-${index}.json`);
  const result = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${output}`, ...run.args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...run.env },
  });
  if (result.status !== 0) failedRuns++;
  if (existsSync(output)) {
    const report = JSON.parse(readFileSync(output, 'utf8'));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  } else {
    failedRuns++;
  }
});

console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedRuns > 0 || totals.failed > 0 || totals.passed === 0 ? 1 : 0);
