#!/usr/bin/env node
// `npm test`: build, unit + integration tests (vitest), end-to-end tests (Playwright in
// Debian's Chromium), then one plain summary line summing both: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';

function run(command, args) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env: process.env }).status ?? 1;
}

function count(file, read) {
  if (!existsSync(file)) return null;
  try {
    return read(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

rmSync('test-results/unit.json', { force: true });
rmSync('test-results/e2e.json', { force: true });

if (run('npx', ['electron-vite', 'build']) !== 0) {
  console.log('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const unitStatus = run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
const e2eStatus = run('npx', ['playwright', 'test']);

const unit = count('test-results/unit.json', (r) => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests,
  skipped: r.numPendingTests + r.numTodoTests,
}));
const e2e = count('test-results/e2e.json', (r) => ({
  passed: r.stats.expected + r.stats.flaky,
  failed: r.stats.unexpected,
  skipped: r.stats.skipped,
}));

// CI shows only the head and tail of this output: name every failure again right above the
// summary, with the first lines of its message, so a red run says which test and why.
function unitFailures(r) {
  return r.testResults.flatMap((file) => {
    const failed = file.assertionResults
      .filter((t) => t.status === 'failed')
      .map((t) => ({
        name: `${relative(process.cwd(), file.name)} > ${t.fullName}`,
        message: t.failureMessages.join('\n'),
      }));
    // A file that failed outside any test (a hook, an import) has no failed assertion of its own.
    if (failed.length === 0 && file.status === 'failed')
      failed.push({ name: relative(process.cwd(), file.name), message: file.message });
    return failed;
  });
}
function e2eFailures(r) {
  const walk = (suite) => [
    ...suite.specs.flatMap((spec) =>
      spec.tests
        .filter((t) => t.status === 'unexpected')
        .map((t) => ({
          name: `${spec.file}:${spec.line} > ${spec.title}`,
          message: t.results.map((x) => x.error?.message ?? '').join('\n'),
        })),
    ),
    ...(suite.suites ?? []).flatMap(walk),
  ];
  return r.suites.flatMap(walk);
}
const failures = [
  ...(count('test-results/unit.json', unitFailures) ?? []),
  ...(count('test-results/e2e.json', e2eFailures) ?? []),
];
if (failures.length > 0) {
  console.log(`\nfailed (${failures.length}):`);
  for (const f of failures) {
    console.log(`  ✗ ${f.name}`);
    const lines = (f.message ?? '')
      // eslint-disable-next-line no-control-regex -- terminal colour codes in the messages
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((l) => l.trim());
    for (const line of lines.slice(0, 6)) console.log(`      ${line.slice(0, 200)}`);
  }
}

// A runner that crashed before writing its report counts as one failure, never as zero.
const parts = [unit ?? { passed: 0, failed: 1, skipped: 0 }, e2e ?? { passed: 0, failed: 1, skipped: 0 }];
const passed = parts.reduce((n, p) => n + p.passed, 0);
let failed = parts.reduce((n, p) => n + p.failed, 0);
const skipped = parts.reduce((n, p) => n + p.skipped, 0);
if (failed === 0 && (unitStatus !== 0 || e2eStatus !== 0)) failed = 1;
if (passed === 0 && failed === 0) failed = 1; // running no test is a failure
console.log(`\nunit: ${JSON.stringify(parts[0])} e2e: ${JSON.stringify(parts[1])}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
